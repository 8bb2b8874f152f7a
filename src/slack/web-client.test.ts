import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../emulator/index.js';
import type { AlertMemory, EpisodeState } from '../core/types.js';
import { SlackApiError } from '../errors.js';
import { renderAlertParent } from './render/alert-parent.js';
import { renderAlertReply } from './render/alert-reply.js';
import { createWebSlackClient, type SlackClientLogger } from './web-client.js';
import type { SlackClient } from './types.js';

const TOKEN = 'xoxb-1111-2222-SeCrEtToKeN';

/** Every log line the client writes, as JSON text, so a test can prove the token is never in it. */
function captureLogger(): SlackClientLogger & { lines: string[] } {
  const lines: string[] = [];
  const push = (obj: object, msg?: string) => lines.push(JSON.stringify({ ...obj, msg }));
  return { lines, debug: push, warn: push };
}

async function failure(p: Promise<unknown>): Promise<SlackApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SlackApiError);
  return err as SlackApiError;
}

describe('createWebSlackClient against the Slack emulator', () => {
  let emu: SlackEmulator;
  let client: SlackClient;
  let logger: ReturnType<typeof captureLogger>;

  beforeAll(async () => {
    emu = await startSlackEmulator({ rateLimits: 'off' });
  });
  afterAll(() => emu.close());
  afterEach(() => emu.reset());

  const make = (timeoutMs?: number) => {
    logger = captureLogger();
    client = createWebSlackClient({ token: TOKEN, slackApiUrl: emu.url, timeoutMs, logger });
    return client;
  };

  it('answers auth.test with the bot identity', async () => {
    const me = await make().authTest();
    expect(me).toMatchObject({ user: 'threader', team: 'Emulated Slack' });
    expect(me.url).toBe(emu.baseUrl);
  });

  it('posts a parent with blocks, attachments and metadata, a reply in its thread, and edits the parent', async () => {
    make();
    const parent = await client.postMessage({
      channel: 'C_ALERTS',
      text: 'FIRING HighLatency',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'FIRING' } }],
      attachments: [
        { color: '#E01E5A', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'details' } }] },
      ],
      metadata: { event_type: 'alert_episode', event_payload: { episode_id: 'ep-1', seq: 1 } },
      unfurl_links: false,
      unfurl_media: false,
    });
    const reply = await client.postMessage({
      channel: 'C_ALERTS',
      thread_ts: parent.ts,
      text: '2 new alerts firing',
    });
    await client.update({ channel: 'C_ALERTS', ts: parent.ts, text: 'RESOLVED HighLatency' });

    const [thread] = emu.threads('C_ALERTS');
    expect(thread?.parent.ts).toBe(parent.ts);
    expect(thread?.parent.text).toBe('RESOLVED HighLatency');
    expect(thread?.parent.original.attachments?.[0]?.color).toBe('#E01E5A');
    expect(thread?.parent.unfurl_links).toBe(false);
    expect(thread?.replies.map((r) => r.ts)).toEqual([reply.ts]);
  });

  it('reads history and replies with metadata, so a lost post can be reconciled', async () => {
    make();
    const parent = await client.postMessage({
      channel: 'C_ALERTS',
      text: 'parent',
      metadata: { event_type: 'alert_episode', event_payload: { episode_id: 'ep-9' } },
    });
    await client.postMessage({ channel: 'C_ALERTS', thread_ts: parent.ts, text: 'reply' });

    const history = await client.history({ channel: 'C_ALERTS' });
    expect(history.messages[0]?.metadata).toEqual({
      event_type: 'alert_episode',
      event_payload: { episode_id: 'ep-9' },
    });
    const replies = await client.replies({ channel: 'C_ALERTS', ts: parent.ts });
    expect(replies.messages.map((m) => m.text)).toEqual(['parent', 'reply']);
    expect(replies.messages[1]?.thread_ts).toBe(parent.ts);
  });

  it('pages through history with a cursor', async () => {
    make();
    for (let i = 0; i < 3; i++) await client.postMessage({ channel: 'C_PAGE', text: `m${i}` });
    const first = await client.history({ channel: 'C_PAGE', limit: 2 });
    expect(first.messages.map((m) => m.text)).toEqual(['m2', 'm1']);
    expect(first.nextCursor).toBeTruthy();
    const second = await client.history({ channel: 'C_PAGE', limit: 2, cursor: first.nextCursor });
    expect(second.messages.map((m) => m.text)).toEqual(['m0']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('gets a permalink and adds a reaction', async () => {
    make();
    const { ts } = await client.postMessage({ channel: 'C_ALERTS', text: 'x' });
    const permalink = await client.getPermalink('C_ALERTS', ts);
    expect(permalink.startsWith(emu.baseUrl)).toBe(true);
    await client.addReaction('C_ALERTS', ts, 'white_check_mark');
    expect(emu.messages('C_ALERTS')[0]?.reactions.map((r) => r.name)).toEqual(['white_check_mark']);
  });

  it('deletes a message it posted, and a second delete is refused as message_not_found', async () => {
    make();
    const { ts } = await client.postMessage({ channel: 'C_DEL', text: 'extra parent' });
    await client.deleteMessage('C_DEL', ts);
    expect(emu.messages('C_DEL').map((m) => m.deleted)).toEqual([true]);
    expect(await failure(client.deleteMessage('C_DEL', ts))).toMatchObject({
      slackError: 'message_not_found',
      method: 'chat.delete',
    });
  });

  it('gets the rendered parent and reply of a huge, hostile alert group accepted', async () => {
    make();
    const alerts: Record<string, AlertMemory> = {};
    for (let i = 0; i < 80; i++) {
      alerts[`f${i}`] = {
        fingerprint: `f${i}`,
        status: i % 3 ? 'firing' : 'resolved',
        labels: { alertname: `<!channel> ${'A'.repeat(300)}`, instance: `<@U${i}> ${'i'.repeat(500)}` },
        annotations: {},
        firstAnnotations: {
          summary: '&<>'.repeat(2_000),
          description: 'd'.repeat(20_000),
          runbook_url: 'https://rb/x',
        },
        startsAt: '2026-11-26T09:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: `http://prom/${i}`,
        firstSeenAt: 0,
      };
    }
    const state: EpisodeState = {
      id: 'ep',
      threadKey: 'k',
      seq: 1,
      channel: 'C_BIG',
      status: 'firing',
      receiver: 'r',
      groupKey: 'g',
      groupLabels: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`l${i}`, 'v'.repeat(3_000)])),
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://am',
      truncatedAlerts: 9,
      alerts,
      openedAt: 0,
      lastNotifiedAt: 0,
      notificationCount: 1,
      reopenCount: 0,
    };
    const parent = await client.postMessage({
      channel: 'C_BIG',
      ...renderAlertParent(state, { now: 60_000 }),
    });
    const summaries = Object.values(alerts).map((a) => ({ ...a, annotations: a.firstAnnotations }));
    const reply = renderAlertReply({ kind: 'firing', alerts: summaries }, state, { now: 60_000 });
    await client.postMessage({ channel: 'C_BIG', thread_ts: parent.ts, ...reply });
    expect(emu.threads('C_BIG')[0]?.replies).toHaveLength(1);
  });

  it("maps a platform error to Slack's error string", async () => {
    make();
    emu.archiveChannel('C_OLD');
    const err = await failure(client.postMessage({ channel: 'C_OLD', text: 'x' }));
    expect(err.slackError).toBe('is_archived');
    expect(err.method).toBe('chat.postMessage');
  });

  it('rejects a 429 at once with Retry-After, without retrying inside the SDK', async () => {
    make();
    emu.faults.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const err = await failure(client.postMessage({ channel: 'C_RL', text: 'x' }));
    expect([err.slackError, err.retryAfterSeconds]).toEqual(['ratelimited', 7]);
    expect(emu.calls({ method: 'chat.postMessage' })).toHaveLength(1);
    expect(emu.messages('C_RL')).toHaveLength(0);
  });

  it('maps an HTTP 5xx to http_<status> and makes exactly one call', async () => {
    make();
    emu.faults.failNext('chat.update', { status: 503 });
    const err = await failure(client.update({ channel: 'C1', ts: '1.000001', text: 'x' }));
    expect(err.slackError).toBe('http_503');
    expect(emu.calls({ method: 'chat.update' })).toHaveLength(1);
  });

  it('reports a dropped response as a network error although the post took effect', async () => {
    make();
    emu.faults.failNext('chat.postMessage', { drop: true });
    const err = await failure(client.postMessage({ channel: 'C_DROP', text: 'did it land?' }));
    expect(err.slackError).toBe('network_error');
    expect(emu.messages('C_DROP').map((m) => m.text)).toEqual(['did it land?']);
  });

  it('gives up after timeoutMs with a timeout error', async () => {
    make(50);
    emu.faults.set({ latencyMs: 400, methods: ['auth.test'] });
    const err = await failure(client.authTest());
    expect(err.slackError).toBe('timeout');
  });

  it('never puts the token in an error or a log line, also when Slack refuses it', async () => {
    const bad = captureLogger();
    const wrong = createWebSlackClient({ token: 'not-a-bot-token-XYZ', slackApiUrl: emu.url, logger: bad });
    const err = await failure(wrong.authTest());
    expect(err.slackError).toBe('invalid_auth');
    expect(JSON.stringify(err) + err.message + err.stack).not.toContain('XYZ');
    make();
    emu.faults.failNext('chat.postMessage', { drop: true });
    await failure(client.postMessage({ channel: 'C1', text: 'x' }));
    for (const line of [...bad.lines, ...logger.lines]) {
      expect(line).not.toContain('XYZ');
      expect(line).not.toContain(TOKEN);
    }
  });
});

describe('createWebSlackClient against misbehaving servers', () => {
  let server: Server;
  let url = '';
  let reply: (res: import('node:http').ServerResponse) => void = (res) => res.end();

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => reply(res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () => createWebSlackClient({ token: TOKEN, slackApiUrl: url });

  it('treats an HTML page answered with 200 as an invalid response, without echoing it', async () => {
    reply = (res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<html>proxy error ${TOKEN}</html>`);
    const err = await failure(client().postMessage({ channel: 'C1', text: 'x' }));
    expect(err.slackError).toBe('invalid_response');
    expect(err.message).not.toContain(TOKEN);
  });

  it('treats a 429 without a usable Retry-After as rate limiting', async () => {
    reply = (res) => res.writeHead(429, { 'retry-after': 'soon' }).end('{"ok":false,"error":"ratelimited"}');
    const err = await failure(client().postMessage({ channel: 'C1', text: 'x' }));
    expect([err.slackError, err.retryAfterSeconds]).toEqual(['ratelimited', undefined]);
  });

  it('treats an ok answer without a ts as an invalid response (the post may have landed)', async () => {
    reply = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    const err = await failure(client().postMessage({ channel: 'C1', text: 'x' }));
    expect(err.slackError).toBe('invalid_response');
  });

  it('maps a refused connection to network_error', async () => {
    const closed = createWebSlackClient({ token: TOKEN, slackApiUrl: 'http://127.0.0.1:1/api/' });
    const err = await failure(closed.authTest());
    expect(err.slackError).toBe('network_error');
  });
});
