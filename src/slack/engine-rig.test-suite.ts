import { episode, part } from '../../test/helpers/builders.js';
import { FakeClock } from '../../test/helpers/fake-clock.js';
import { MemorySlack } from '../../test/helpers/memory-slack.js';
import type { EpisodeState, ThreadAction } from '../core/types.js';
import { SqliteStore } from '../store/sqlite.js';
import { ThreadEngine, type ThreadEngineDeps, type ThreadRenderer } from './thread-engine.js';

/** The thread engine's unit-test rig: fake clock, in-memory SQLite, memory Slack. */

export const testRenderer: ThreadRenderer<EpisodeState> = {
  parent: (t) => ({ text: `parent ${t.id} notifications=${t.state.notificationCount}` }),
  reply: (_t, payload) => ({ text: `reply ${JSON.stringify(payload)}` }),
};

export interface EngineRig {
  clock: FakeClock;
  store: SqliteStore;
  slack: MemorySlack;
  engine: ThreadEngine;
  /** Commits a thread's first notification with these actions, as the processor would. */
  thread(id: string, channel: string, actions: ThreadAction[], notificationCount?: number): Promise<void>;
}

export async function engineRig(deps: Partial<ThreadEngineDeps> = {}): Promise<EngineRig> {
  const clock = new FakeClock(0);
  const store = new SqliteStore({ path: ':memory:' });
  await store.init();
  const slack = new MemorySlack(() => clock.now());
  const engine = new ThreadEngine({
    store,
    client: slack,
    renderers: { alert: testRenderer },
    clock,
    policy: { attempts: 5, baseMs: 1_000, maxDelayMs: 8_000, jitter: 'none' },
    ...deps,
  });
  async function thread(id: string, channel: string, actions: ThreadAction[], notificationCount = 1) {
    const [nid] = await store.appendNotifications([
      { threadKey: id, channel, receivedAt: clock.now(), part: part() },
    ]);
    await store.commitDecision({
      notificationId: nid as number,
      reason: 'first notification',
      episode: episode({ id, threadKey: id, channel, notificationCount }),
      actions,
      now: clock.now(),
    });
  }
  return { clock, store, slack, engine, thread };
}
