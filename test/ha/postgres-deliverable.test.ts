import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres.js';
import { episode, part } from '../helpers/builders.js';
import { advanceDbClock } from './db-clock.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * A replica's outbox scan leaves out the rows another replica holds the Slack lease for, so two
 * replicas do not both read (and parse) every row on every pass; once that lease lapses, the rows
 * are offered again.
 */

const missing = postgresMissing();
let server: TestPostgres;
const opened: PostgresStore[] = [];

if (missing) {
  describe.skip(`postgres deliverable by lease (skipped: ${missing})`, () => {
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

  describe('postgres outbox scan by replica', () => {
    it('offers a replica only the channels no other replica holds, and all of them once the lease lapsed', async () => {
      const url = await server.createDatabase();
      const store = new PostgresStore({ url, poolSize: 2 });
      await store.init();
      opened.push(store);
      for (const [key, channel] of [
        ['k1', 'C1'],
        ['k2', 'C2'],
      ] as const) {
        const [nid] = await store.appendNotifications([
          { threadKey: key, channel, receivedAt: 1, part: part() },
        ]);
        await store.commitDecision({
          notificationId: nid as number,
          reason: 'first notification',
          episode: episode({ id: `ep_${key}`, threadKey: key, channel }),
          actions: [{ type: 'post_parent', episodeId: `ep_${key}` }],
          now: 1,
        });
      }
      const channels = async (owner: string, now: number) =>
        (await store.deliverable(now, 10, { owner })).map((o) => o.channel).sort();
      expect(await store.holdLeases(['post:C1'], { owner: 'A', now: 10, ttlMs: 1_000 })).toEqual(['post:C1']);
      expect(await channels('A', 20)).toEqual(['C1', 'C2']);
      expect(await channels('B', 20)).toEqual(['C2']);
      // A stopped renewing: after its lease lapsed, B is offered C1 again (and can take it).
      await advanceDbClock(url, 1_001);
      expect(await channels('B', 20)).toEqual(['C1', 'C2']);
      // Without an owner (a single process, the idle check) nothing is left out.
      expect((await store.deliverable(20, 10)).length).toBe(2);
    });
  });
}
