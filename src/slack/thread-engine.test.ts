import { beforeEach, describe, expect, it } from 'vitest';
import type { FakeClock } from '../../test/helpers/fake-clock.js';
import type { MemorySlack } from '../../test/helpers/memory-slack.js';
import type { ThreadAction } from '../core/types.js';
import { SlackApiError } from '../errors.js';
import type { SqliteStore } from '../store/sqlite.js';
import { engineRig, testRenderer, type EngineRig } from './engine-rig.test-suite.js';
import { METADATA_EVENT, ThreadEngine } from './thread-engine.js';

describe('ThreadEngine (fake clock)', () => {
  let clock: FakeClock;
  let store: SqliteStore;
  let slack: MemorySlack;
  let engine: ThreadEngine;
  let thread: EngineRig['thread'];

  beforeEach(async () => {
    const rig = await engineRig({
      renderers: { alert: testRenderer, note: testRenderer as never },
      limits: { postsPerSecond: 1, postBurst: 3, updatesPerMinute: 50, updateBurst: 1 },
    });
    ({ clock, store, slack, engine, thread } = rig);
  });

  const parentOnly = (id: string): ThreadAction[] => [{ type: 'post_parent', episodeId: id }];

  it('posts at most a burst, then one per second per channel, each channel on its own budget', async () => {
    for (let i = 0; i < 8; i++) await thread(`a${i}`, 'C1', parentOnly(`a${i}`));
    for (let i = 0; i < 2; i++) await thread(`b${i}`, 'C2', parentOnly(`b${i}`));
    await engine.start();
    await clock.advance(0);
    expect(slack.posts('C1')).toHaveLength(3);
    expect(slack.posts('C2')).toHaveLength(2);
    await clock.advance(5_000);
    const at = slack.posts('C1').map((c) => c.at);
    expect(at).toEqual([0, 0, 0, 1_000, 2_000, 3_000, 4_000, 5_000]);
    engine.stop();
  });

  it('honours Retry-After for the rate-limited channel only', async () => {
    await thread('a', 'C1', parentOnly('a'));
    await thread('b', 'C2', parentOnly('b'));
    slack.failNext('chat.postMessage', new SlackApiError('ratelimited', 'chat.postMessage', 30));
    await engine.start();
    await clock.advance(0);
    expect(slack.posts('C2')).toHaveLength(1);
    expect(slack.posts('C1')).toHaveLength(0);
    await clock.advance(29_999);
    expect(slack.posts('C1')).toHaveLength(0);
    await clock.advance(1);
    expect(slack.posts('C1').map((c) => c.at)).toEqual([30_000]);
    engine.stop();
  });

  it('coalesces pending edits of one parent into a single chat.update with the latest state', async () => {
    await thread(
      'a',
      'C1',
      [
        { type: 'post_parent', episodeId: 'a' },
        ...Array.from({ length: 5 }, () => ({ type: 'update_parent' as const, episodeId: 'a' })),
      ],
      6,
    );
    await engine.start();
    await clock.advance(10_000);
    const updates = slack.calls.filter((c) => c.method === 'chat.update');
    expect(updates).toHaveLength(1);
    expect((updates[0]?.args as { text: string }).text).toContain('notifications=6');
    expect((await store.outbox('a')).every((o) => o.status === 'done')).toBe(true);
    engine.stop();
  });

  it('waits for the parent ts before replying, and replies in order', async () => {
    await thread('a', 'C1', [
      { type: 'post_parent', episodeId: 'a' },
      { type: 'reply', episodeId: 'a', change: { kind: 'still_firing', firing: 1 } },
      { type: 'reply', episodeId: 'a', change: { kind: 'still_firing', firing: 2 } },
    ]);
    slack.failNext('chat.postMessage', new SlackApiError('http_503', 'chat.postMessage'));
    await engine.start();
    await clock.advance(20_000);
    const posts = slack.posts('C1');
    expect(posts).toHaveLength(3);
    const parentTs = slack.messages[0]?.ts;
    expect(slack.messages.map((m) => [m.thread_ts ?? null, m.text])).toEqual([
      [null, expect.stringContaining('parent a')],
      [parentTs, 'reply {"kind":"still_firing","firing":1}'],
      [parentTs, 'reply {"kind":"still_firing","firing":2}'],
    ]);
    engine.stop();
  });

  it('finds a post whose response was lost instead of posting it twice', async () => {
    await thread('a', 'C1', parentOnly('a'));
    slack.failNext('chat.postMessage', new SlackApiError('network_error', 'chat.postMessage'), {
      applyFirst: true,
    });
    await engine.start();
    await clock.advance(20_000);
    expect(slack.messages).toHaveLength(1);
    expect((await store.getThread('a'))?.parentTs).toBe(slack.messages[0]?.ts);
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'conversations.history']);
    engine.stop();
  });

  it('after a crash mid-call, reconciles before posting again, and only trusts its own metadata', async () => {
    await thread('a', 'C1', parentOnly('a'));
    const [item] = await store.deliverable(0, 1);
    await store.claimOutbox(item!.id, 0);
    const payload = { installation: await store.installationId(), thread_id: 'a', outbox_id: item!.id };
    // The crashed process had posted: the message is in Slack, our row still says in flight.
    await slack.postMessage({
      channel: 'C1',
      text: 'parent a',
      metadata: { event_type: METADATA_EVENT, event_payload: payload },
    });
    // Another installation's message with the same thread and outbox id, newer, so the lookup meets
    // it first: it must not be taken for ours.
    await slack.postMessage({
      channel: 'C1',
      text: 'someone else',
      metadata: { event_type: METADATA_EVENT, event_payload: { ...payload, installation: 'other-install' } },
    });
    await engine.start();
    await clock.advance(5_000);
    expect(slack.messages).toHaveLength(2);
    expect((await store.getThread('a'))?.parentTs).toBe(slack.messages[0]?.ts);
  });

  it('gives up on a message Slack refuses for good, without holding up other threads', async () => {
    await thread('a', 'C2', parentOnly('a'));
    await thread('b', 'C1', parentOnly('b'));
    slack.failNext('chat.postMessage', new SlackApiError('msg_too_long', 'chat.postMessage'));
    await engine.start();
    await clock.advance(1_000);
    expect((await store.outbox('a'))[0]).toMatchObject({ status: 'dead', lastError: 'msg_too_long' });
    expect(slack.posts('C1')).toHaveLength(1);
    engine.stop();
  });

  it('keeps a post Slack refuses until a person acts (bot not in channel) and delivers it later', async () => {
    await thread('a', 'C2', parentOnly('a'));
    await thread('b', 'C1', parentOnly('b'));
    slack.failNext('chat.postMessage', new SlackApiError('not_in_channel', 'chat.postMessage'));
    await engine.start();
    await clock.advance(1_000);
    expect((await store.outbox('a'))[0]).toMatchObject({ status: 'pending', lastError: 'not_in_channel' });
    expect(slack.posts('C1')).toHaveLength(1);
    await clock.advance(60_000);
    expect(slack.posts('C2')).toHaveLength(1);
    expect((await store.outbox('a'))[0]?.status).toBe('done');
    engine.stop();
  });

  it('keeps retrying 5xx with backoff from the policy', async () => {
    await thread('a', 'C1', parentOnly('a'));
    slack.failNext('chat.postMessage', new SlackApiError('http_500', 'chat.postMessage'), { times: 3 });
    await engine.start();
    await clock.advance(0);
    await clock.advance(999);
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
    await clock.advance(20_000);
    const attempts = slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => c.at);
    // 1 s, then 2 s, then 4 s after each failure (jitter off in this policy); history lookups in between.
    expect(attempts).toEqual([0, 1_000, 3_000, 7_000]);
    expect(slack.messages).toHaveLength(1);
    engine.stop();
  });

  it('looks up a timed-out post only after the grace period, then finds it instead of posting again', async () => {
    const graced = new ThreadEngine({
      store,
      client: slack,
      renderers: { alert: testRenderer },
      clock,
      policy: { attempts: 5, baseMs: 100, maxDelayMs: 100, jitter: 'none' },
      uncertainGraceMs: 10_000,
    });
    await thread('a', 'C1', parentOnly('a'));
    slack.failNext('chat.postMessage', new SlackApiError('timeout', 'chat.postMessage'), {
      applyFirst: true,
    });
    await graced.start();
    await clock.advance(9_999);
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage']);
    await clock.advance(1);
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'conversations.history']);
    expect(slack.messages).toHaveLength(1);
    expect((await store.getThread('a'))?.parentTs).toBe(slack.messages[0]?.ts);
    graced.stop();
  });

  it('takes back a row stuck in flight (its result could not be recorded) without a restart', async () => {
    await thread('a', 'C1', parentOnly('a'));
    const complete = store.completeOutbox.bind(store);
    let storeDown = true;
    store.completeOutbox = async (id, m) => {
      if (storeDown) throw new Error('store: disk I/O error');
      return complete(id, m);
    };
    await engine.start();
    await clock.advance(1_000);
    expect(slack.messages).toHaveLength(1);
    expect((await store.outbox('a'))[0]?.status).toBe('inflight');
    storeDown = false;
    await clock.advance(60_000);
    // Looked up by its metadata and recorded, not posted again.
    expect(slack.messages).toHaveLength(1);
    expect((await store.outbox('a'))[0]?.status).toBe('done');
    expect((await store.getThread('a'))?.parentTs).toBe(slack.messages[0]?.ts);
    engine.stop();
  });
});
