import { digestEntry, digestOf, type DigestEntry, type DigestState } from '../core/storm.js';
import type { EpisodeState } from '../core/types.js';
import type { PostgresDb, Queryable, Row } from './postgres-db.js';
import { insertOutbox } from './postgres-outbox.js';
import { toParentMove, toThread } from './sqlite-rows.js';
import { digestKey } from './sqlite-storm.js';
import type { ParentMove } from './storm-types.js';
import type { ThreadRecord } from './types.js';

/**
 * The PostgreSQL side of the storm digest and self-healing threads, the same rules as
 * sqlite-storm.ts. Replicas racing to open a channel's digest meet at a unique index (one running
 * digest per channel) and all get the winner's thread.
 */

export async function countNewThreads(db: PostgresDb, channel: string, since: number): Promise<number> {
  const [row] = await db.query(
    "SELECT count(*) AS n FROM threads WHERE kind = 'alert' AND channel = $1 AND opened_at >= $2",
    [channel, since],
  );
  return (row as Row).n as number;
}

async function latest(c: Queryable, channel: string): Promise<ThreadRecord<DigestState> | null> {
  const row = (
    await c.query(
      "SELECT * FROM threads WHERE kind = 'digest' AND thread_key = $1 ORDER BY seq DESC LIMIT 1",
      [digestKey(channel)],
    )
  ).rows[0];
  return row ? (toThread(row) as unknown as ThreadRecord<DigestState>) : null;
}

export async function latestDigest(
  db: PostgresDb,
  channel: string,
): Promise<ThreadRecord<DigestState> | null> {
  return db.tx((c) => latest(c, channel));
}

export async function openDigest(
  db: PostgresDb,
  d: { channel: string; state: DigestState; now: number },
): Promise<ThreadRecord<DigestState>> {
  return db.tx(async (c) => {
    const last = await latest(c, d.channel);
    if (last && last.status === 'storm') return last;
    const seq = (last?.seq ?? 0) + 1;
    const id = `digest:${d.channel}:${seq}`;
    // A racing replica inserting the same digest waits on the unique indexes, then does nothing.
    const created = await c.query(
      `INSERT INTO threads (id, kind, thread_key, seq, channel, status, state, opened_at, updated_at)
       VALUES ($1, 'digest', $2, $3, $4, 'storm', $5, $6, $6) ON CONFLICT DO NOTHING`,
      [id, digestKey(d.channel), seq, d.channel, JSON.stringify(d.state), d.now],
    );
    if (created.rowCount === 1) await insertOutbox(c, id, d.channel, 'post_parent', null, d.now);
    return (await latest(c, d.channel)) as ThreadRecord<DigestState>;
  });
}

export async function endDigest(db: PostgresDb, id: string, endedAt: number): Promise<boolean> {
  return db.tx(async (c) => {
    const row = (
      await c.query(
        "SELECT * FROM threads WHERE id = $1 AND kind = 'digest' AND status = 'storm' FOR UPDATE",
        [id],
      )
    ).rows[0];
    if (!row) return false;
    const state = { ...(JSON.parse(row.state as string) as DigestState), endedAt };
    await c.query(
      "UPDATE threads SET status = 'resolved', resolved_at = $1, state = $2, updated_at = $1 WHERE id = $3",
      [endedAt, JSON.stringify(state), id],
    );
    await insertOutbox(c, id, row.channel as string, 'update_parent', null, endedAt);
    return true;
  });
}

export async function saveDigestEntries(
  db: PostgresDb,
  digestId: string,
  entries: DigestEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  // Sorted, so two replicas saving overlapping rows lock them in the same order.
  const sorted = [...entries].sort((a, b) =>
    a.threadId < b.threadId ? -1 : a.threadId > b.threadId ? 1 : 0,
  );
  await db.tx(async (c) => {
    for (const e of sorted) {
      await c.query(
        `INSERT INTO digest_entries (digest_id, thread_id, entry, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (digest_id, thread_id) DO UPDATE SET entry = excluded.entry, version = excluded.version
         WHERE excluded.version >= digest_entries.version`,
        [digestId, e.threadId, JSON.stringify(e), e.version],
      );
    }
  });
}

/**
 * Inside commitDecision's transaction: a digest member's table row is written with the episode
 * it shows, so a commit that is refused (fenced) or rolled back leaves no row behind.
 */
export async function saveMemberEntry(c: Queryable, ep: EpisodeState): Promise<void> {
  const digestId = digestOf(ep);
  if (!digestId) return;
  const e = digestEntry(ep);
  await c.query(
    `INSERT INTO digest_entries (digest_id, thread_id, entry, version) VALUES ($1, $2, $3, $4)
     ON CONFLICT (digest_id, thread_id) DO UPDATE SET entry = excluded.entry, version = excluded.version
     WHERE excluded.version >= digest_entries.version`,
    [digestId, e.threadId, JSON.stringify(e), e.version],
  );
}

export async function digestEntries(db: PostgresDb, digestId: string): Promise<DigestEntry[]> {
  const rows = await db.query('SELECT entry FROM digest_entries WHERE digest_id = $1 ORDER BY n', [digestId]);
  return rows.map((r) => JSON.parse(r.entry as string) as DigestEntry);
}

export async function moveParent(db: PostgresDb, m: ParentMove): Promise<boolean> {
  return db.tx(async (c) => {
    const moved = await c.query(
      'UPDATE threads SET parent_ts = $1, channel = $2, updated_at = $3 WHERE id = $4 AND parent_ts IS NOT DISTINCT FROM $5',
      [m.toTs, m.toChannel, m.at, m.threadId, m.fromTs],
    );
    if (moved.rowCount === 0) return false;
    await c.query(
      `INSERT INTO parent_moves (thread_id, reason, from_channel, from_ts, to_channel, to_ts, permalink, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [m.threadId, m.reason, m.fromChannel, m.fromTs, m.toChannel, m.toTs, m.permalink, m.at],
    );
    await c.query(
      "UPDATE outbox SET channel = $1 WHERE thread_id = $2 AND status IN ('pending', 'inflight')",
      [m.toChannel, m.threadId],
    );
    return true;
  });
}

export async function parentMoves(db: PostgresDb, threadId: string): Promise<ParentMove[]> {
  const rows = await db.query('SELECT * FROM parent_moves WHERE thread_id = $1 ORDER BY id', [threadId]);
  return rows.map(toParentMove);
}
