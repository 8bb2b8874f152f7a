import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeContract } from '../../src/store/contract.test-suite.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { episode, part } from '../helpers/builders.js';
import { advanceDbClock } from './db-clock.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * The PostgreSQL store passes the same contract as SQLite, then what only a shared store must do:
 * leases that keep two replicas off one thread key and one channel, and hand over when they lapse.
 */

const missing = postgresMissing();
let server: TestPostgres;
const opened: PostgresStore[] = [];

async function openStore(url?: string): Promise<PostgresStore> {
  const store = new PostgresStore({ url: url ?? (await server.createDatabase()), poolSize: 4 });
  await store.init();
  opened.push(store);
  return store;
}

if (missing) {
  describe.skip(`postgres store (skipped: ${missing})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
    await server?.stop();
  });

  storeContract('postgres', () => openStore());

  describe('postgres store shared by replicas', () => {
    const holder = (owner: string, now = 1_000, ttlMs = 5_000) => ({ owner, now, ttlMs });

    it('two replicas starting together migrate once and see one installation', async () => {
      const url = await server.createDatabase();
      const [a, b] = await Promise.all([openStore(url), openStore(url)]);
      expect(await a.installationId()).toBe(await b.installationId());
      await a.appendNotifications([{ threadKey: 'k', channel: 'C1', receivedAt: 1, part: part() }]);
      expect(await b.pendingNotifications(10)).toHaveLength(1);
    });

    it('a key being decided by one replica is not offered to another until its lease lapses', async () => {
      const url = await server.createDatabase();
      const [a, b] = [await openStore(url), await openStore(url)];
      await a.appendNotifications([
        { threadKey: 'k1', channel: 'C1', receivedAt: 1, part: part() },
        { threadKey: 'k2', channel: 'C1', receivedAt: 1, part: part() },
        { threadKey: 'k1', channel: 'C1', receivedAt: 2, part: part() },
      ]);
      const mine = await a.claimNotifications(2, holder('A'));
      expect(mine.map((n) => n.threadKey)).toEqual(['k1', 'k2']);
      // k1 and k2 are A's now: B finds nothing, even though k1 has a notification A did not take.
      expect(await b.claimNotifications(10, holder('B'))).toEqual([]);
      // A stops renewing (killed): once the lease lapsed B takes the keys over, oldest first.
      await advanceDbClock(url, 5_001);
      const taken = await b.claimNotifications(10, holder('B'));
      expect(taken.map((n) => [n.threadKey, n.receivedAt])).toEqual([
        ['k1', 1],
        ['k2', 1],
        ['k1', 2],
      ]);
    });

    it('a replica whose lease was taken over cannot commit: its decision changes nothing', async () => {
      const url = await server.createDatabase();
      const [a, b] = [await openStore(url), await openStore(url)];
      await a.appendNotifications([{ threadKey: 'k1', channel: 'C1', receivedAt: 1, part: part() }]);
      const [n] = await a.claimNotifications(10, holder('A'));
      const decision = {
        notificationId: n!.id,
        reason: 'first notification' as const,
        episode: episode({ id: 'ep_k1', threadKey: 'k1', channel: 'C1' }),
        actions: [{ type: 'post_parent' as const, episodeId: 'ep_k1' }],
        now: 10,
      };
      await advanceDbClock(url, 6_000);
      await b.claimNotifications(10, holder('B'));
      expect(await a.commitDecisions([decision], holder('A'))).toEqual([false]);
      expect(await b.outbox('ep_k1')).toEqual([]);
      expect(await b.commitDecisions([decision], holder('B'))).toEqual([true]);
      expect((await b.outbox('ep_k1')).map((o) => o.kind)).toEqual(['post_parent']);
    });

    it('a finished key is released at commit, so the next notification can go to any replica', async () => {
      const url = await server.createDatabase();
      const [a, b] = [await openStore(url), await openStore(url)];
      await a.appendNotifications([{ threadKey: 'k1', channel: 'C1', receivedAt: 1, part: part() }]);
      const [n] = await a.claimNotifications(10, holder('A'));
      await a.commitDecisions(
        [{ notificationId: n!.id, reason: 'duplicate', episode: null, actions: [], now: 2 }],
        holder('A'),
      );
      await a.appendNotifications([{ threadKey: 'k1', channel: 'C1', receivedAt: 3, part: part() }]);
      expect((await b.claimNotifications(10, holder('B'))).map((x) => x.receivedAt)).toEqual([3]);
    });

    it('a channel lease belongs to one replica until it lapses or is released', async () => {
      const url = await server.createDatabase();
      const [a, b] = [await openStore(url), await openStore(url)];
      expect(await a.holdLeases(['post:C1', 'update'], holder('A'))).toEqual(['post:C1', 'update']);
      expect(await b.holdLeases(['post:C1', 'post:C2'], holder('B'))).toEqual(['post:C2']);
      // A renews: still A's after the first expiry would have passed.
      await advanceDbClock(url, 3_000);
      expect(await a.holdLeases(['post:C1'], holder('A'))).toEqual(['post:C1']);
      await advanceDbClock(url, 3_000);
      expect(await b.holdLeases(['post:C1'], holder('B'))).toEqual([]);
      await a.releaseLeases('A', ['post:C1']);
      expect(await b.holdLeases(['post:C1', 'update'], holder('B'))).toEqual(['post:C1', 'update']);
    });

    it('rows in flight come back only when the replica that claimed them fell silent', async () => {
      const url = await server.createDatabase();
      const [a, b] = [await openStore(url), await openStore(url)];
      for (const [i, key] of ['k1', 'k2'].entries()) {
        const [nid] = await a.appendNotifications([
          { threadKey: key, channel: 'C1', receivedAt: 1, part: part() },
        ]);
        await a.commitDecision({
          notificationId: nid as number,
          reason: 'first notification',
          episode: episode({ id: `ep${i}`, threadKey: key, channel: 'C1' }),
          actions: [{ type: 'post_parent', episodeId: `ep${i}` }],
          now: 1,
        });
      }
      await a.holdLeases([], holder('A'));
      await b.holdLeases([], holder('B'));
      const [r0, r1] = await a.deliverable(1_000, 10);
      expect(await a.claimOutbox(r0!.id, 1_000, 'A')).toBe(true);
      expect(await b.claimOutbox(r1!.id, 1_000, 'B')).toBe(true);
      await advanceDbClock(url, 8_000);
      await b.holdLeases([], holder('B')); // B is alive, A has not been heard of for 8 s
      expect(await b.recoverInflight({ silentForMs: 5_000 })).toBe(1);
      const back = await b.deliverable(9_000, 10);
      expect(back.map((o) => [o.id, o.uncertain])).toEqual([[r0!.id, true]]);
    });
  });
}
