import type { PostgresDb, Queryable, Row } from './postgres-db.js';
import type { LeaseHolder, PendingNotification } from './types.js';

/**
 * Leases for replicas sharing one database. A lease is a row (name, owner, expires_at): taken when
 * free or lapsed, renewed by its owner, and taken over by another replica once its owner stops
 * renewing it (killed, partitioned, stalled) — no replica has to notice the death.
 *
 * Every take is one INSERT … ON CONFLICT DO UPDATE … WHERE: the row lock makes a racing replica
 * wait, then re-check the WHERE against the winner's row, so exactly one of them gets it.
 *
 * Expiry and heartbeats are read and written on the DATABASE's clock, never a replica's: every
 * replica then agrees when a lease lapsed, and one whose clock runs ahead (NTP off, a VM resumed)
 * cannot declare a live peer dead and take its keys or channels. A holder's `now` is not used here.
 */

/** The database's clock in epoch milliseconds, as the BIGINT columns hold time. */
export const DB_NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

export const keyLease = (threadKey: string): string => `key:${threadKey}`;

async function take(c: Queryable, names: string[], h: LeaseHolder): Promise<string[]> {
  if (names.length === 0) return [];
  // Sorted, so two replicas taking overlapping sets lock rows in the same order (no deadlock).
  const sorted = [...new Set(names)].sort();
  const { rows } = await c.query(
    `INSERT INTO leases (name, owner, expires_at)
       SELECT name, $2, ${DB_NOW_MS} + $3 FROM unnest($1::text[]) AS name ORDER BY name
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE leases.owner = excluded.owner OR leases.expires_at <= ${DB_NOW_MS}
     RETURNING name`,
    [sorted, h.owner, h.ttlMs],
  );
  return rows.map((r) => r.name as string);
}

/** The heartbeat and the takes in one statement: the engine calls this on every scan. */
export async function holdLeases(db: PostgresDb, names: string[], h: LeaseHolder): Promise<string[]> {
  // Sorted, so two replicas taking overlapping sets lock rows in the same order (no deadlock).
  const sorted = [...new Set(names)].sort();
  const rows = await db.query(
    `WITH seen AS (
       INSERT INTO replicas (owner, seen_at) VALUES ($2, ${DB_NOW_MS})
       ON CONFLICT (owner) DO UPDATE SET seen_at = GREATEST(replicas.seen_at, excluded.seen_at)
     )
     INSERT INTO leases (name, owner, expires_at)
       SELECT name, $2, ${DB_NOW_MS} + $3 FROM unnest($1::text[]) AS name ORDER BY name
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE leases.owner = excluded.owner OR leases.expires_at <= ${DB_NOW_MS}
     RETURNING name`,
    [sorted, h.owner, h.ttlMs],
  );
  return rows.map((r) => r.name as string);
}

export async function releaseLeases(db: PostgresDb, owner: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await db.run('DELETE FROM leases WHERE owner = $1 AND name = ANY($2::text[])', [owner, names]);
}

/**
 * Pending notifications of keys nobody else is deciding, oldest first. The keys are leased in
 * one transaction and the notifications read after it took them, so what is returned is every
 * notification of those keys still unprocessed at that moment, in arrival order.
 */
export async function claimNotifications(
  db: PostgresDb,
  limit: number,
  h: LeaseHolder,
): Promise<PendingNotification[]> {
  const rows = await db.tx(async (c) => {
    const candidates = await c.query(
      `SELECT n.thread_key FROM notifications n
        WHERE n.processed_at IS NULL AND NOT EXISTS (
          SELECT 1 FROM leases l WHERE l.name = 'key:' || n.thread_key AND l.owner <> $2 AND l.expires_at > ${DB_NOW_MS})
        GROUP BY n.thread_key ORDER BY min(n.id) LIMIT $1`,
      [limit, h.owner],
    );
    const keys = candidates.rows.map((r) => r.thread_key as string);
    const taken = (await take(c, keys.map(keyLease), h)).map((name) => name.slice(4));
    if (taken.length === 0) return [] as Row[];
    return (
      await c.query(
        `SELECT n.id, n.thread_key, n.channel, n.received_at, p.part
           FROM notifications n JOIN notification_parts p ON p.id = n.id
          WHERE n.processed_at IS NULL AND n.thread_key = ANY($1::text[])
          ORDER BY n.id LIMIT $2`,
        [taken, limit],
      )
    ).rows;
  });
  return rows.map(toPending);
}

/**
 * Fencing for a commit by a lease holder: locks the holder's key leases for the rest of the
 * transaction, so none can be taken over until it commits. False when one was lost already.
 */
export async function stillHeld(c: Queryable, threadKeys: string[], h: LeaseHolder): Promise<boolean> {
  const names = [...new Set(threadKeys)].sort().map(keyLease);
  const { rows } = await c.query(
    'SELECT name FROM leases WHERE name = ANY($1::text[]) AND owner = $2 ORDER BY name FOR UPDATE',
    [names, h.owner],
  );
  return rows.length === names.length;
}

/** After a commit: keys with nothing left to decide are free for whichever replica gets there first. */
export async function releaseFinishedKeys(c: Queryable, threadKeys: string[], owner: string): Promise<void> {
  await c.query(
    `DELETE FROM leases l WHERE l.owner = $2 AND l.name = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM notifications n
                        WHERE n.thread_key = substr(l.name, 5) AND n.processed_at IS NULL)`,
    [[...new Set(threadKeys)].map(keyLease), owner],
  );
}

export function toPending(r: Row): PendingNotification {
  return {
    id: r.id as number,
    threadKey: r.thread_key as string,
    channel: r.channel as string,
    receivedAt: r.received_at as number,
    part: JSON.parse(r.part as string),
  };
}
