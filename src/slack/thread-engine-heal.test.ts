import { beforeEach, describe, expect, it } from 'vitest';
import { episode, part } from '../../test/helpers/builders.js';
import { FakeClock } from '../../test/helpers/fake-clock.js';
import { MemorySlack } from '../../test/helpers/memory-slack.js';
import type { EpisodeState } from '../core/types.js';
import { SlackApiError } from '../errors.js';
import { SqliteStore } from '../store/sqlite.js';
import { ThreadEngine, type ThreadRenderer } from './thread-engine.js';

const renderer: ThreadRenderer<EpisodeState> = {
  parent: (t) => ({ text: `parent ${t.id} notifications=${t.state.notificationCount}` }),
  reply: (_t, payload) => ({ text: `reply ${JSON.stringify(payload)}` }),
};

/** Self-healing in the engine when the healing call itself goes wrong (fake clock, memory Slack). */
describe('ThreadEngine self-healing under faults', () => {
  let clock: FakeClock;
  let store: SqliteStore;
  let slack: MemorySlack;
  let engine: ThreadEngine;

  beforeEach(async () => {
    clock = new FakeClock(0);
    store = new SqliteStore({ path: ':memory:' });
    await store.init();
    slack = new MemorySlack(() => clock.now());
    engine = new ThreadEngine({
      store,
      client: slack,
      renderers: { alert: renderer },
      clock,
      policy: { attempts: 5, baseMs: 1_000, maxDelayMs: 8_000, jitter: 'none' },
      uncertainGraceMs: 10_000,
      limits: { postsPerSecond: 1, postBurst: 3, updatesPerMinute: 50, updateBurst: 3 },
    });
    const [nid] = await store.appendNotifications([
      { threadKey: 'a', channel: 'C1', receivedAt: 0, part: part() },
    ]);
    await store.commitDecision({
      notificationId: nid as number,
      reason: 'first notification',
      episode: episode({ id: 'a', threadKey: 'a', channel: 'C1' }),
      actions: [{ type: 'post_parent', episodeId: 'a' }],
      now: 0,
    });
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
