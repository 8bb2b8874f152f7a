import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres.js';
import { episode, part } from '../helpers/builders.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { ageClaims } from './db-clock.js';

/**
 * Claims keep the database's time, as leases do: replica A's clock runs 2 minutes behind and
 * replica B's 2 minutes ahead, and B's stale-claim sweep must still leave A's live Slack call and
 * A's running button press alone — until they really are as old as the sweep's bound.
 */

const STALE_MS = 60_000;
const SKEW_MS = 120_000;

const missing = postgresMissing();
let server: TestPostgres;
const opened: PostgresStore[] = [];

async function twoReplicas(): Promise<{ url: string; a: PostgresStore; b: PostgresStore }> {
  const url = await server.createDatabase();
  const open = async () => {
    const s = new PostgresStore({ url, poolSize: 2 });
    await s.init();
    opened.push(s);
    return s;
  };
  const [a, b] = [await open(), await open()];
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
  return { url, a, b };
}

const behind = () => Date.now() - SKEW_MS;
const ahead = () => Date.now() + SKEW_MS;

if (missing) {
  describe.skip(`claims on the database's clock (skipped: ${missing})`, () => {
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

  describe("claims keep the database's time", () => {
    it('a replica whose clock runs ahead does not sweep a live outbox claim of one whose clock runs behind', async () => {
      const { url, a, b } = await twoReplicas();
      const [row] = await a.deliverable(Infinity, 10);
      expect(await a.claimOutbox(row!.id, behind(), 'A')).toBe(true);
      // B's engine sweep: rows claimed longer ago than any call can take.
      const sweep = () => b.recoverInflight({ kinds: ['alert'], claimedFor: { ms: STALE_MS, now: ahead() } });
      expect(await sweep()).toBe(0);
      expect((await b.outbox('ep_k1')).map((o) => o.status)).toEqual(['inflight']);
      // A's call really has been in flight that long now: it comes back, for a lookup.
      await ageClaims(url, STALE_MS);
      expect(await sweep()).toBe(1);
      expect((await b.outbox('ep_k1')).map((o) => [o.status, o.uncertain])).toEqual([['pending', true]]);
    });

    it('a replica whose clock runs ahead does not take over a button press another replica is carrying out', async () => {
      const { url, a, b } = await twoReplicas();
      const id = await a.queueSlackAction({
        threadId: 'ep_k1',
        kind: 'ack',
        actor: { id: 'U1', name: 'ana' },
        now: Date.now(),
      });
      const [mine] = await a.claimSlackActions(behind(), 1, { claimedForMs: STALE_MS });
      expect(mine?.id).toBe(id);
      expect(await b.claimSlackActions(ahead(), 1, { claimedForMs: STALE_MS })).toEqual([]);
      // A died with the press running: once its claim is a lease old, B carries it out instead.
      await ageClaims(url, STALE_MS);
      const [taken] = await b.claimSlackActions(ahead(), 1, { claimedForMs: STALE_MS });
      expect(taken?.id).toBe(id);
      expect(await a.finishSlackAction(id, {}, behind(), mine?.claimedAt)).toBe(false);
      expect(await b.finishSlackAction(id, {}, ahead(), taken?.claimedAt)).toBe(true);
    });
  });
}
