import { beforeEach, describe, expect, it } from 'vitest';
import type { FakeClock } from '../../test/helpers/fake-clock.js';
import type { MemorySlack } from '../../test/helpers/memory-slack.js';
import { SlackApiError } from '../errors.js';
import type { SqliteStore } from '../store/sqlite.js';
import { engineRig } from './engine-rig.test-suite.js';
import type { ThreadEngine } from './thread-engine.js';

/** Self-healing in the engine when the healing call itself goes wrong (fake clock, memory Slack). */
describe('ThreadEngine self-healing under faults', () => {
  let clock: FakeClock;
  let store: SqliteStore;
  let slack: MemorySlack;
  let engine: ThreadEngine;

  beforeEach(async () => {
    const rig = await engineRig({
      uncertainGraceMs: 10_000,
      limits: { postsPerSecond: 1, postBurst: 3, updatesPerMinute: 50, updateBurst: 3 },
    });
    ({ clock, store, slack, engine } = rig);
    await rig.thread('a', 'C1', [{ type: 'post_parent', episodeId: 'a' }]);
    await engine.start();
    await clock.advance(1_000);
  });

  const parents = () => slack.messages.filter((m) => !m.thread_ts);

  it('a fresh parent whose post timed out after landing is found, not posted a second time', async () => {
    expect(parents()).toHaveLength(1);
    // The parent was deleted: every edit of it fails; the fresh parent lands but its answer is lost.
    slack.failNext('chat.update', new SlackApiError('message_not_found', 'chat.update'), { times: 5 });
    slack.failNext('chat.postMessage', new SlackApiError('timeout', 'chat.postMessage'), {
      applyFirst: true,
    });
    await store.enqueue('a', 'update_parent', null, clock.now());
    engine.kick();
    await clock.advance(60_000);
    engine.stop();

    expect(parents()).toHaveLength(2);
    const fresh = parents()[1];
    const thread = await store.getThread('a');
    expect(thread?.parentTs).toBe(fresh?.ts);
    // The lookup came after the grace period, not right after the timeout.
    const lookup = slack.calls.find((c) => c.method === 'conversations.history');
    const timedOut = slack.calls.find((c) => c.method === 'chat.postMessage' && !c.ok);
    expect(lookup && timedOut && lookup.at - timedOut.at).toBeGreaterThanOrEqual(10_000);
    expect((await store.outbox('a')).every((o) => o.status === 'done')).toBe(true);
  });

  it('a fresh parent refused with a 5xx is looked up, then posted once', async () => {
    slack.failNext('chat.update', new SlackApiError('message_not_found', 'chat.update'), { times: 5 });
    slack.failNext('chat.postMessage', new SlackApiError('http_503', 'chat.postMessage'));
    await store.enqueue('a', 'update_parent', null, clock.now());
    engine.kick();
    await clock.advance(60_000);
    engine.stop();

    // The 503 was before Slack stored anything: the lookup finds nothing and the parent is posted once.
    expect(parents()).toHaveLength(2);
    expect((await store.getThread('a'))?.parentTs).toBe(parents()[1]?.ts);
  });
});
