import { beforeEach, describe, expect, it } from 'vitest';
import { alert, part } from '../../test/helpers/builders.js';
import { FakeClock } from '../../test/helpers/fake-clock.js';
import { decide } from '../core/decide.js';
import type { StormPolicy } from '../core/storm.js';
import type { ThreadPolicy } from '../core/types.js';
import { SqliteStore } from '../store/sqlite.js';
import type { PendingNotification } from '../store/types.js';
import { NotificationProcessor } from './processor.js';
import { StormStage } from './storm.js';

const MIN = 60_000;
const THREADS: ThreadPolicy = { reopenWindowMs: 0, duplicateWindowMs: 0, replyOnRepeat: false };
/** One new thread per minute per channel; the storm ends once no new thread came for a window. */
const STORM: StormPolicy = { enabled: true, maxNewThreads: 1, windowMs: MIN, exitAtOrBelow: 0 };

const group = (name: string, status: 'firing' | 'resolved' = 'firing') =>
  part(
    {
      groupLabels: { alertname: name },
      commonLabels: { alertname: name, severity: 'critical' },
      alerts: [alert({ status, labels: { alertname: name } })],
    },
    name,
  );

describe('StormStage', () => {
  let clock: FakeClock;
  let store: SqliteStore;
  let stage: StormStage;

  beforeEach(async () => {
    clock = new FakeClock(0);
    store = new SqliteStore({ path: ':memory:' });
    await store.init();
    stage = new StormStage({ store, policy: STORM, clock });
  });

  /** Accepts webhooks of `names` now and lets the processor (with the storm stage) decide them. */
  async function notify(names: string[], status: 'firing' | 'resolved' = 'firing') {
    await store.appendNotifications(
      names.map((n) => ({ threadKey: n, channel: 'C1', receivedAt: clock.now(), part: group(n, status) })),
    );
    const processor = new NotificationProcessor({ store, clock, policy: THREADS, shaper: stage });
    processor.start();
    await processor.whenIdle();
    processor.stop();
  }
  const episodeOf = async (key: string) => (await store.latestEpisode(key))!;
  /** Slack took every queued row of a thread (this test has no engine). */
  const settle = async (threadId: string) => {
    for (const o of await store.outbox(threadId))
      // Claimed first: a result is recorded only for a row in flight.
      if (o.status === 'pending' && (await store.claimOutbox(o.id, 0)))
        await store.failOutbox(o.id, { error: 'test', retryAt: 0, uncertain: false, dead: true });
  };

  /** Shapes (without committing) the notifications `decide()` makes of these groups. */
  async function shapeOnly(ns: PendingNotification[]) {
    for (const n of ns)
      await stage.shape(n, decide(null, n.part, { channel: 'C1', now: n.receivedAt, policy: THREADS }));
  }
  const pending = (names: string[], from = 1): PendingNotification[] =>
    names.map((n, i) => ({
      id: from + i,
      threadKey: n,
      channel: 'C1',
      receivedAt: clock.now(),
      part: group(n),
    }));

  it('a member whose ended digest was pruned resolves in a thread of its own instead of failing', async () => {
    await notify(['g1', 'g2']);
    const digest1 = (await episodeOf('g2')) as { digest?: { id: string } };
    expect(digest1.digest?.id).toBe('digest:C1:1');
    // The storm ends; a later storm opens digest 2; retention then removes digest 1.
    await clock.advance(2 * MIN);
    expect(await stage.sweep()).toBe(1);
    await settle('digest:C1:1');
    await notify(['g3', 'g4']);
    expect(((await episodeOf('g4')) as { digest?: { id: string } }).digest?.id).toBe('digest:C1:2');
    await store.prune({ notificationsBefore: 0, threadsBefore: clock.now() + 1 });
    expect(await store.getThread('digest:C1:1')).toBeNull();

    await clock.advance(MIN);
    await notify(['g2'], 'resolved');

    const g2 = await episodeOf('g2');
    expect(g2.status).toBe('resolved');
    expect((g2 as { digest?: unknown }).digest).toBeUndefined();
    const rows = await store.outbox(g2.id);
    expect(rows.map((o) => o.kind)).toEqual(['post_parent', 'reply']);
    expect(rows[1]?.payload).toMatchObject({ kind: 'all_resolved' });
    // And it stays there: the next notification of the group needs no digest either.
    expect(await store.digestEntries('digest:C1:2')).toHaveLength(1);
  });

  it('a table row is written by the commit of its member, never by a batch that did not commit', async () => {
    await notify(['g1']);
    // Shaped into the digest, but the batch never commits (fenced off by another replica, or a crash).
    await shapeOnly(pending(['g2', 'g3'], 100));
    await stage.flush();
    const digest = await store.latestDigest('C1');
    expect(digest?.status).toBe('storm');
    expect(await store.digestEntries(digest!.id)).toEqual([]);
    // Decided again and committed this time: exactly the committed members are in the table.
    await notify(['g2', 'g3']);
    expect((await store.digestEntries(digest!.id)).map((e) => e.threadId).sort()).toEqual(
      [(await episodeOf('g2')).id, (await episodeOf('g3')).id].sort(),
    );
  });

  it('a batch shaped again after it threw does not count its new threads twice', async () => {
    stage = new StormStage({ store, policy: { ...STORM, maxNewThreads: 3 }, clock });
    const ns = pending(['a', 'b', 'c']);
    // The batch threw after shaping (no flush, no commit) and is shaped again: still 3 new threads.
    await shapeOnly(ns);
    await shapeOnly(ns);
    await stage.flush();
    expect(await store.latestDigest('C1')).toBeNull();
  });
});
