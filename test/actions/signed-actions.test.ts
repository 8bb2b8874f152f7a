import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView } from '../../src/emulator/index.js';
import { signSlackRequest } from '../../src/slack/signature.js';
import { until } from '../helpers/alertmanager.js';
import { alert, webhookBody } from '../helpers/builders.js';
import { startThreader, type TestThreader } from '../helpers/threader.js';

/**
 * Slack buttons end to end without Alertmanager: the emulator clicks signed, the threader checks
 * the signature over the raw body, records the press and edits the parent. Every refusal is a 401
 * that changes nothing: no press recorded, no edit, no answer to the presser.
 */

const CHANNEL = 'C_ALERTS';
const SECRET = 'test-signing-secret-7f3a';
const ANA = { id: 'U0ANA', name: 'ana' };

interface Click {
  status: number;
  body: string;
  request: { headers: Record<string, string>; body: string };
}

describe('POST /slack/actions: signed button presses', () => {
  let t: TestThreader;
  let parent: MessageView;

  beforeAll(async () => {
    t = await startThreader({ env: { SLACK_SIGNING_SECRET: SECRET } });
    t.emu.interactivity.configure({ requestUrl: `${t.url}/slack/actions`, signingSecret: SECRET });
    const res = await t.post(webhookBody({ alerts: [alert({ labels: { instance: 'api-7' } })] }));
    expect(res.status).toBe(200);
    await t.app.settle();
    parent = t.emu.messages(CHANNEL).find((m) => !m.thread_ts) as MessageView;
  });
  afterAll(async () => t?.close());

  const current = () => t.emu.messages(CHANNEL).find((m) => m.ts === parent.ts) as MessageView;
  const text = () => JSON.stringify(current().blocks);
  const click = async (body: Record<string, unknown>): Promise<Click> => {
    const res = await fetch(`${t.emu.baseUrl}_emulator/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: CHANNEL, ts: parent.ts, user: ANA, ...body }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Click;
  };
  /** What an observer could see change: the parent's edits, the answers to pressers, the thread state. */
  const observable = async () => ({
    edits: current().edits.length,
    responses: t.emu.interactivity.responses.length,
    interaction: (await t.app.store.listThreads({}))[0]?.interaction ?? null,
  });
  const refusedWithoutChange = async (send: () => Promise<{ status: number }>) => {
    await t.app.settle();
    const before = await observable();
    expect((await send()).status).toBe(401);
    await t.app.settle();
    expect(await observable()).toEqual(before);
  };

  it('renders Ack and Silence on the parent once interactivity is configured', () => {
    expect(text()).toContain('threader_ack');
    expect(text()).toContain('threader_silence');
  });

  it('refuses a request signed with the wrong secret', async () => {
    await refusedWithoutChange(() => click({ action_id: 'threader_ack', signingSecret: 'not-the-secret' }));
  });

  it('refuses a request signed more than five minutes ago', async () => {
    const stale = Math.floor(Date.now() / 1000) - 301;
    await refusedWithoutChange(() => click({ action_id: 'threader_ack', timestamp: stale }));
  });

  it('refuses a request signed more than five minutes in the future', async () => {
    const ahead = Math.floor(Date.now() / 1000) + 301;
    await refusedWithoutChange(() => click({ action_id: 'threader_ack', timestamp: ahead }));
  });

  it('refuses a request without the signature headers', async () => {
    const { request } = await click({ action_id: 'threader_alertmanager' });
    for (const drop of ['x-slack-signature', 'x-slack-request-timestamp']) {
      const headers = { ...request.headers };
      delete headers[drop];
      await refusedWithoutChange(() =>
        fetch(`${t.url}/slack/actions`, { method: 'POST', headers, body: request.body }),
      );
    }
  });

  it('a valid Ack edits the parent with who and when, tells the presser, and a replay of it is refused', async () => {
    const res = await click({ action_id: 'threader_ack' });
    expect(res.status).toBe(200);
    await until(() => text().includes('Acknowledged by <@U0ANA>'), { timeoutMs: 10_000, what: 'ack shown' });
    expect(text()).not.toContain('threader_ack');
    await until(() => t.emu.interactivity.responses.length === 1, { what: 'answer to the presser' });
    expect(t.emu.interactivity.responses[0]?.body).toMatchObject({
      response_type: 'ephemeral',
      text: 'Acknowledged.',
    });
    const interaction = (await t.app.store.listThreads({}))[0]?.interaction;
    expect(interaction?.ack?.by).toEqual(ANA);

    await refusedWithoutChange(() =>
      fetch(`${t.url}/slack/actions`, {
        method: 'POST',
        headers: res.request.headers,
        body: res.request.body,
      }),
    );
  });

  it('answers a press for an unknown thread with a clear message and records nothing', async () => {
    const payload = {
      type: 'block_actions',
      user: { id: 'U0ANA', username: 'ana' },
      actions: [{ action_id: 'threader_ack', value: 'ep_doesnotexist', type: 'button' }],
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await t.app.settle();
    const before = await observable();
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${t.url}/slack/actions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': ts,
        'x-slack-signature': signSlackRequest(SECRET, ts, body),
      },
      body,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toMatch(/does not know/);
    await t.app.settle();
    expect(await observable()).toEqual(before);
    expect(await t.app.store.getThread('ep_doesnotexist')).toBeNull();
  });

  it('never writes the signing secret to the logs', () => {
    expect(JSON.stringify(t.logs)).not.toContain(SECRET);
  });
});

describe('POST /slack/actions without a signing secret', () => {
  it('answers 503 saying what to configure, and renders no buttons', async () => {
    const t = await startThreader();
    try {
      const res = await fetch(`${t.url}/slack/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'payload=%7B%7D',
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        error: 'slack_actions_disabled',
        message: expect.stringMatching(/SLACK_SIGNING_SECRET/),
      });
      await t.post(webhookBody());
      await t.app.settle();
      expect(JSON.stringify(t.emu.messages(CHANNEL))).not.toContain('threader_ack');
    } finally {
      await t.close();
    }
  });
});
