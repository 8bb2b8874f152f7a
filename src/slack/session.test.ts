import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemorySlack } from '../../test/helpers/memory-slack.js';
import { loadConfig } from '../config/load.js';
import { SlackApiError } from '../errors.js';
import { SqliteStore } from '../store/sqlite.js';
import { SlackSession } from './session.js';

// The session runs on the real clock (commands wait in real time); MemorySlack answers at once.

/** A wait no test reaches: a deliver that ends did so for a reason of its own, not its timeout. */
const HOUR = 3_600_000;

/**
 * `wait`, which must end by itself: delivery or a refusal ends a deliver at once, whatever its
 * timeout. The guard only fails with a message before the test runner's timeout would.
 */
async function endsEarly<T>(wait: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('still waiting after 20 s: it waits for its timeout')), 20_000);
  });
  try {
    return await Promise.race([wait, guard]);
  } finally {
    clearTimeout(timer);
  }
}

const opened: SlackSession[] = [];
const dir = mkdtempSync(join(tmpdir(), 'session-'));
let files = 0;

/** A store file that a second session (the next command) opens again. */
const storeFile = () => join(dir, `${++files}.db`);

async function session(slack: MemorySlack, path = ':memory:') {
  const config = await loadConfig({ env: {} });
  const store = new SqliteStore({ path });
  const s = await SlackSession.open(config, { client: slack, store, blockedRetryMs: 0 });
  opened.push(s);
  return s;
}

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close(0).catch(() => undefined);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SlackSession.deliver', { timeout: 30_000 }, () => {
  it('says delivered once the parent and the reply it waits for are in Slack', async () => {
    const slack = new MemorySlack(Date.now);
    const s = await session(slack);
    const threadId = await s.open('C0CI', 'Pipeline #7', 'run-7');
    const outboxId = await s.reply(threadId, { text: 'build succeeded' });
    expect(await endsEarly(s.deliver([{ threadId }, { threadId, outboxId }], HOUR))).toEqual({
      state: 'delivered',
    });
    expect(slack.messages.map((m) => [m.text, m.thread_ts === undefined])).toEqual([
      ['Pipeline #7', true],
      ['build succeeded', false],
    ]);
  });

  it('stops waiting at the first refusal a person must fix, naming Slack’s error and the channel', async () => {
    const slack = new MemorySlack(Date.now);
    slack.failNext('chat.postMessage', new SlackApiError('channel_not_found', 'chat.postMessage'), {
      times: 50,
    });
    const s = await session(slack);
    const threadId = await s.open('C0GONE', 'Pipeline #8', 'run-8');
    expect(await endsEarly(s.deliver([{ threadId }], HOUR))).toEqual({
      state: 'refused',
      refusal: { error: 'channel_not_found', channel: 'C0GONE' },
    });
  });

  it('counts a reply waiting behind its refused parent as refused too', async () => {
    const slack = new MemorySlack(Date.now);
    slack.failNext('chat.postMessage', new SlackApiError('invalid_auth', 'chat.postMessage'), { times: 50 });
    const s = await session(slack);
    const threadId = await s.open('C0CI', 'Pipeline #9', 'run-9');
    const outboxId = await s.reply(threadId, { text: 'tests succeeded' });
    const d = await endsEarly(s.deliver([{ threadId, outboxId }], HOUR));
    expect(d).toMatchObject({ state: 'refused', refusal: { error: 'invalid_auth' } });
  });

  it('reports a message Slack refused as such (it is not queued any more)', async () => {
    const slack = new MemorySlack(Date.now);
    const s = await session(slack);
    const threadId = await s.open('C0CI', 'Pipeline #10', 'run-10');
    expect(await endsEarly(s.deliver([{ threadId }], HOUR))).toEqual({ state: 'delivered' });
    slack.failNext('chat.postMessage', new SlackApiError('msg_too_long', 'chat.postMessage'));
    const outboxId = await s.reply(threadId, { text: 'x' });
    expect(await endsEarly(s.deliver([{ threadId, outboxId }], HOUR))).toMatchObject({
      state: 'refused',
      refusal: { error: 'msg_too_long' },
    });
  });

  it('gives up after the timeout while Slack is unreachable, the message still queued with its error', async () => {
    const slack = new MemorySlack(Date.now);
    slack.failNext('chat.postMessage', new SlackApiError('network_error', 'chat.postMessage'), {
      times: 500,
    });
    const s = await session(slack);
    const threadId = await s.open('C0CI', 'Pipeline #11', 'run-11');
    const started = Date.now();
    const d = await s.deliver([{ threadId }], 600);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(d).toEqual({ state: 'queued', waiting: 1, lastError: 'network_error' });
    expect((await s.store.outbox(threadId)).map((o) => o.status)).toEqual(['pending']);
  });

  it('does not report an old refusal before Slack repeats it: the next run tries again', async () => {
    const path = storeFile();
    const refusing = new MemorySlack(Date.now);
    refusing.failNext('chat.postMessage', new SlackApiError('not_in_channel', 'chat.postMessage'), {
      times: 50,
    });
    const first = await session(refusing, path);
    const threadId = await first.open('C0CI', 'Pipeline #12', 'run-12');
    expect((await endsEarly(first.deliver([{ threadId }], HOUR))).state).toBe('refused');
    await first.close(1_000);

    // Someone invited the bot; the step runs again on the same store.
    const fixed = new MemorySlack(Date.now);
    const again = await session(fixed, path);
    expect(again.idOfNew('run-12')).toBe(threadId);
    expect(await endsEarly(again.deliver([{ threadId }], HOUR))).toEqual({ state: 'delivered' });
    expect(fixed.messages.map((m) => m.text)).toEqual(['Pipeline #12']);
  });
});

describe('SlackSession.deliverAll (slack flush)', { timeout: 30_000 }, () => {
  it('delivers what an earlier session left queued', async () => {
    const path = storeFile();
    const down = new MemorySlack(Date.now);
    down.failNext('chat.postMessage', new SlackApiError('http_503', 'chat.postMessage'), { times: 500 });
    const first = await session(down, path);
    const threadId = await first.open('C0CI', 'Pipeline #13', 'run-13');
    await first.reply(threadId, { text: 'build succeeded' });
    expect((await first.deliver([{ threadId }], 300)).state).toBe('queued');
    await first.close(1_000);

    const up = new MemorySlack(Date.now);
    const flush = await session(up, path);
    expect(await endsEarly(flush.deliverAll(HOUR))).toEqual({ state: 'delivered' });
    expect(up.messages.map((m) => m.text)).toEqual(['Pipeline #13', 'build succeeded']);
  });

  it('ends early when everything left waits behind a refusal', async () => {
    const slack = new MemorySlack(Date.now);
    slack.failNext('chat.postMessage', new SlackApiError('token_revoked', 'chat.postMessage'), { times: 50 });
    const s = await session(slack);
    await s.open('C0CI', 'Pipeline #14', 'run-14');
    expect(await endsEarly(s.deliverAll(HOUR))).toMatchObject({
      state: 'refused',
      refusal: { error: 'token_revoked', channel: 'C0CI' },
    });
  });
});
