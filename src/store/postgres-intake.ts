import type { Queryable } from './postgres-db.js';
import type { NewNotification } from './types.js';

/** Key space of the per-thread-key intake locks (two-int advisory locks, apart from one-bigint ones). */
const INTAKE_LOCKS = 7_310_418;

/**
 * Intake for the PostgreSQL store, inside the caller's transaction: ids in arrival order, rows,
 * payloads.
 *
 * Per-key order across replicas. Ids come from a sequence, and nextval order is not commit order:
 * webhook X (id N) can commit after webhook Y (id N+1) of the same thread key, and a replica that
 * saw N+1 alone would decide it first. So before drawing ids the transaction takes a transaction
 * advisory lock per thread key it inserts (held until commit or rollback). A second intake of the
 * same key waits for the first to end before it draws an id; hence every uncommitted id of a key
 * is above every visible one, and a claim that reads a key's pending rows in id order never skips
 * one still to appear. Rejected alternatives: skipping keys below an id gap (gaps are also left by
 * rollbacks and sequence caching, so it needs a timeout and stalls every key behind one), and a
 * lock in the claim as well (not needed: with this lock an in-flight id is never below a visible one).
 *
 * Only intakes of the same key wait for each other (a hash collision costs a short wait, nothing
 * more). Locks are taken in hash order, so two intakes sharing keys cannot deadlock.
 */
export async function appendNotificationsIn(c: Queryable, items: NewNotification[]): Promise<number[]> {
  if (items.length === 0) return [];
  await c.query(
    `SELECT count(pg_advisory_xact_lock($2, h)) FROM (
       SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k ORDER BY 1
     ) AS keys`,
    [items.map((n) => n.threadKey), INTAKE_LOCKS],
  );
  // Ids in arrival order: sorted ids are handed out in the order of `items`.
  const ids = (
    await c.query("SELECT nextval('notifications_id_seq') AS id FROM generate_series(1, $1) ORDER BY 1", [
      items.length,
    ])
  ).rows.map((r) => r.id as number);
  await c.query(
    `INSERT INTO notifications (id, thread_key, channel, received_at)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[])`,
    [ids, items.map((n) => n.threadKey), items.map((n) => n.channel), items.map((n) => n.receivedAt)],
  );
  await c.query('INSERT INTO notification_parts (id, part) SELECT * FROM unnest($1::bigint[], $2::text[])', [
    ids,
    items.map((n) => JSON.stringify(n.part)),
  ]);
  return ids;
}
