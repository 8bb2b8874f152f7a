import { describe, expect, it } from 'vitest';
import { part } from '../../test/helpers/builders.js';
import { FakeClock } from '../../test/helpers/fake-clock.js';
import { StoreUnavailableError } from '../errors.js';
import { SqliteStore } from '../store/sqlite.js';
import { createMetrics } from '../telemetry/metrics.js';
import { NotificationProcessor } from './processor.js';

const MIN = 60_000;

describe('NotificationProcessor', () => {
  it('decides a backlog as of each arrival: a repeat stays a repeat however late it is processed', async () => {
    const clock = new FakeClock(0);
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    await store.appendNotifications([
      { threadKey: 'k', channel: 'C1', receivedAt: 0, part: part({}, 'k') },
      { threadKey: 'k', channel: 'C1', receivedAt: 30_000, part: part({}, 'k') },
      { threadKey: 'k', channel: 'C1', receivedAt: 10 * MIN, part: part({}, 'k') },
    ]);
    await clock.advance(60 * MIN);
    let outboxKicks = 0;
    const processor = new NotificationProcessor({
      store,
      clock,
      policy: { reopenWindowMs: 0, duplicateWindowMs: 5 * MIN, replyOnRepeat: false },
      onOutbox: () => outboxKicks++,
    });
    processor.start();
    await processor.whenIdle();
    const ep = await store.latestEpisode('k');
    expect(ep).toMatchObject({ openedAt: 0, lastNotifiedAt: 10 * MIN, notificationCount: 2 });
    const kinds = (await store.outbox(ep!.id)).map((o) => o.kind);
    // first → parent; the copy 30 s later → duplicate; 10 min later → repeat: the parent is edited.
    expect(kinds).toEqual(['post_parent', 'update_parent']);
    expect(outboxKicks).toBe(1);
    await store.close();
  });

  it('sets aside a notification that cannot be processed, and every other one goes on', async () => {
    const clock = new FakeClock(0);
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    const ids = await store.appendNotifications(
      ['a', 'poison', 'b'].map((k) => ({ threadKey: k, channel: 'C1', receivedAt: 0, part: part({}, k) })),
    );
    const poison = ids[1] as number;
    const commit = store.commitDecisions.bind(store);
    store.commitDecisions = async (ds) => {
      if (ds.some((d) => d.notificationId === poison && d.reason !== 'failed')) throw new TypeError('a bug');
      return commit(ds);
    };
    const metrics = createMetrics({ defaultMetrics: false });
    const processor = new NotificationProcessor({
      store,
      clock,
      metrics,
      policy: { reopenWindowMs: 0, duplicateWindowMs: 5 * MIN, replyOnRepeat: false },
    });
    processor.start();
    await processor.whenIdle();
    expect(await store.pendingNotifications(10)).toEqual([]);
    const counted = await metrics.registry.getSingleMetricAsString('threader_notifications_total');
    expect(counted).toContain('threader_notifications_total{result="failed"} 1');
    expect(counted).toContain('threader_notifications_total{result="first notification"} 2');
    expect((await store.latestEpisode('a'))?.status).toBe('firing');
    expect((await store.latestEpisode('b'))?.status).toBe('firing');
    expect(await store.latestEpisode('poison')).toBeNull();
    await store.close();
  });

  it('keeps everything pending while the store is unavailable, and retries', async () => {
    const clock = new FakeClock(0);
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    await store.appendNotifications([{ threadKey: 'k', channel: 'C1', receivedAt: 0, part: part({}, 'k') }]);
    const commit = store.commitDecisions.bind(store);
    let down = true;
    store.commitDecisions = async (ds) => {
      if (down) throw new StoreUnavailableError('store: disk I/O error');
      return commit(ds);
    };
    const processor = new NotificationProcessor({
      store,
      clock,
      policy: { reopenWindowMs: 0, duplicateWindowMs: 5 * MIN, replyOnRepeat: false },
    });
    processor.start();
    await processor.whenIdle();
    expect(await store.pendingNotifications(10)).toHaveLength(1);
    down = false;
    await clock.advance(1_000);
    await processor.whenIdle();
    expect(await store.pendingNotifications(10)).toEqual([]);
    expect((await store.latestEpisode('k'))?.status).toBe('firing');
    await store.close();
  });
});
