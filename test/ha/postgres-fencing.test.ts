import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicaLeases } from '../../src/slack/replica-leases.js';
import { appendNotificationsIn } from '../../src/store/postgres-intake.js';
import { PostgresStore } from '../../src/store/postgres.js';
import type { MessageRecord } from '../../src/store/types.js';
import { episode, part } from '../helpers/builders.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { waitFor } from '../helpers/process.js';
import { advanceDbClock } from './db-clock.js';

/**
 * Replicas on one PostgreSQL database, where they can go wrong without fencing: a late Slack
 * result from a replica that lost its row, and a replica whose clock is ahead.
 */

const missing = postgresMissing();
let server: TestPostgres;
const opened: Array<{ close(): Promise<void> }> = [];

async function openStore(url: string): Promise<PostgresStore> {
  const store = new PostgresStore({ url, poolSize: 4 });
  await store.init();
  opened.push(store);
  return store;
}

/** A new database with one alert thread in C1 whose parent is queued; its outbox row. */
async function withQueuedParent(): Promise<{
  url: string;
  a: PostgresStore;
  b: PostgresStore;
  rowId: number;
}> {
  const url = await server.createDatabase();
  const [a, b] = [await openStore(url), await openStore(url)];
  const [nid] = await a.appendNotifications([
    { threadKey: 'k1', channel: 'C1', receivedAt: 1, part: part() },
  ]);
  await a.commitDecision({
    notificationId: nid as number,
    reason: 'first notification',
    episode: episode({ id: 'ep_k1', threadKey: 'k1', channel: 'C1' }),
    actions: [{ type: 'post_parent', episodeId: 'ep_k1' }],
    now: 1,
  });
  const [row] = await a.deliverable(1_000, 10);
  return { url, a, b, rowId: row!.id };
}

const parentRecord = (outboxId: number, ts: string): MessageRecord => ({
  threadId: 'ep_k1',
  outboxId,
  channel: 'C1',
  ts,
  kind: 'parent',
  text: 'p',
  blocks: [],
  at: 2_000,
});

if (missing) {
  describe.skip(`postgres fencing (skipped: ${missing})`, () => {
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

  describe('outbox completions are fenced on the claim', () => {
    it("a stalled replica's late result for a row another replica took over changes nothing", async () => {
      const { a, b, rowId } = await withQueuedParent();
      expect(await a.claimOutbox(rowId, 1_000, 'A')).toBe(true);
      // A stalls; its claim is taken back for a lookup and B claims the row and posts it.
      expect(await b.recoverInflight({ claimedFor: { ms: 0, now: 1_000 } })).toBe(1);
      expect(await b.claimOutbox(rowId, 2_000, 'B')).toBe(true);
      // A wakes up: its timeout (a retry) and its success both come too late.
      expect(
        await a.failOutbox(rowId, { error: 'timeout', retryAt: 0, uncertain: true, dead: false }, 'A'),
      ).toBe(false);
      expect(await a.completeOutbox(rowId, parentRecord(rowId, '1.000001'), 'A')).toBe(false);
      expect((await b.outbox('ep_k1')).map((o) => [o.status, o.attempts])).toEqual([['inflight', 2]]);
      expect(await b.completeOutbox(rowId, parentRecord(rowId, '2.000002'), 'B')).toBe(true);
      expect((await b.getThread('ep_k1'))?.parentTs).toBe('2.000002');
      // After B finished it, A's late failure cannot put the parent back to be posted again, or kill it.
      expect(
        await a.failOutbox(rowId, { error: 'timeout', retryAt: 0, uncertain: true, dead: true }, 'A'),
      ).toBe(false);
      expect((await b.outbox('ep_k1')).map((o) => o.status)).toEqual(['done']);
      expect((await b.messages('ep_k1')).map((m) => m.ts)).toEqual(['2.000002']);
    });
  });

  describe("leases and heartbeats keep the database's time", () => {
    const LEASE = 15_000;
    const SKEW = 60_000;

    it('a replica whose clock is 60 s ahead cannot take a channel or a key another holds unexpired', async () => {
      const { url, a, b } = await withQueuedParent();
      await a.appendNotifications([{ threadKey: 'k2', channel: 'C1', receivedAt: 2, part: part() }]);
      const now = Date.now();
      expect(await a.holdLeases(['post:C1'], { owner: 'A', now, ttlMs: LEASE })).toEqual(['post:C1']);
      expect(
        (await a.claimNotifications(10, { owner: 'A', now, ttlMs: LEASE })).map((n) => n.threadKey),
      ).toEqual(['k2']);
      const ahead = { owner: 'B', now: now + SKEW, ttlMs: LEASE };
      expect(await b.holdLeases(['post:C1'], ahead)).toEqual([]);
      expect(await b.claimNotifications(10, ahead)).toEqual([]);
      expect((await b.deliverable(now + SKEW, 10, { owner: 'B' })).map((o) => o.channel)).toEqual([]);
      // Once A really stopped renewing for a lease, B takes over, whatever either clock says.
      await advanceDbClock(url, LEASE);
      const behind = { owner: 'B', now: now - SKEW, ttlMs: LEASE };
      expect(await b.holdLeases(['post:C1'], behind)).toEqual(['post:C1']);
      expect((await b.claimNotifications(10, behind)).map((n) => n.threadKey)).toEqual(['k2']);
    });

    it("a replica whose clock is 60 s ahead does not take a live replica's Slack calls for a dead one's", async () => {
      const { url, a, b, rowId } = await withQueuedParent();
      const replica = (store: PostgresStore, owner: string, clock: FakeClock) =>
        new ReplicaLeases({ store, owner, leaseMs: LEASE, clock, kinds: ['alert'], tokenIntervalMs: 1_000 });
      const onTime = new FakeClock(Date.now());
      const aheadClock = new FakeClock(Date.now() + SKEW);
      const ra = replica(a, 'A', onTime);
      const rb = replica(b, 'B', aheadClock);
      await ra.filter([], [], false, onTime.now()); // A's heartbeat
      expect(await a.claimOutbox(rowId, onTime.now(), 'A')).toBe(true);
      await rb.sweep(aheadClock.now());
      expect((await b.outbox('ep_k1')).map((o) => o.status)).toEqual(['inflight']);
      // A falls silent for a whole lease (on the database's clock): now its call comes back, for a lookup.
      await advanceDbClock(url, LEASE + 1);
      await aheadClock.advance(LEASE);
      await rb.sweep(aheadClock.now());
      expect((await b.outbox('ep_k1')).map((o) => [o.status, o.uncertain])).toEqual([['pending', true]]);
    });
  });

  describe('per-key order across replicas', () => {
    const holder = { owner: 'B', now: 0, ttlMs: 15_000 };
    const k1 = (receivedAt: number) => ({ threadKey: 'k1', channel: 'C1', receivedAt, part: part() });

    /**
     * Replica A's intake of id N for k1 is still open while replica B accepts the next webhook for
     * k1; `end` finishes A's transaction. What B can claim at each step is returned.
     */
    async function raceIntake(end: 'COMMIT' | 'ROLLBACK') {
      const url = await server.createDatabase();
      const b = await openStore(url);
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      opened.push({ close: () => a.end() });
      await a.query('BEGIN');
      const [n] = await appendNotificationsIn(a, [k1(1)]);
      let settled = false;
      const later = b.appendNotifications([k1(2)]).finally(() => {
        settled = true;
      });
      // B's intake either waits behind A's (the fix) or has committed (the bug): both are visible.
      await waitFor(async () => (settled || (await lockWaiters(a)).length > 0 ? true : undefined), {
        what: "B's intake waiting or done",
      });
      const whileOpen = await b.claimNotifications(10, holder);
      const settledWhileOpen = settled;
      await a.query(end);
      const [n1] = await later;
      const after = await b.claimNotifications(10, holder);
      // A plain pg client reads BIGINT as text; the store reads numbers.
      return { n: Number(n), n1: n1!, settledWhileOpen, whileOpen, after };
    }

    async function lockWaiters(c: pg.Client): Promise<Array<{ pid: number }>> {
      return (await c.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rows;
    }

    it('a later webhook for a key is not decided while an earlier one is still being accepted', async () => {
      const r = await raceIntake('COMMIT');
      expect(r.settledWhileOpen).toBe(false);
      expect(r.whileOpen).toEqual([]);
      expect(r.n1).toBeGreaterThan(r.n);
      expect(r.after.map((x) => [x.id, x.receivedAt])).toEqual([
        [r.n, 1],
        [r.n1, 2],
      ]);
    });

    it('once the earlier intake rolls back, the later webhook is decided alone', async () => {
      const r = await raceIntake('ROLLBACK');
      expect(r.whileOpen).toEqual([]);
      expect(r.after.map((x) => [x.id, x.receivedAt])).toEqual([[r.n1, 2]]);
    });

    it('intakes of different keys do not wait for each other', async () => {
      const url = await server.createDatabase();
      const b = await openStore(url);
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      opened.push({ close: () => a.end() });
      await a.query('BEGIN');
      await appendNotificationsIn(a, [k1(1)]);
      const [other] = await b.appendNotifications([
        { threadKey: 'k2', channel: 'C1', receivedAt: 2, part: part() },
      ]);
      expect((await b.claimNotifications(10, holder)).map((x) => x.id)).toEqual([other]);
      await a.query('ROLLBACK');
    });
  });
}
