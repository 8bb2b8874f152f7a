import { finite, type PostgresDb, type Queryable, type Row } from './postgres-db.js';
import { DB_NOW_MS } from './postgres-leases.js';
import { ALL_KINDS, toOutbox } from './sqlite-rows.js';
import type {
  DeliverableOptions,
  MessageRecord,
  OutboxFailure,
  OutboxItem,
  OutboxKind,
  RecoverInflightOptions,
  ThreadStore,
} from './types.js';

/**
 * The outbox half of the PostgreSQL store, the same rules as sqlite-outbox.ts. Claims are one
 * conditional UPDATE (pending → inflight), so two replicas offered the same row send it once.
 */
export async function deliverable(
  db: PostgresDb,
  now: number,
  limit: number,
  opts: DeliverableOptions = {},
): Promise<OutboxItem[]> {
  const rows = await db.query(
    `WITH eligible AS (
       SELECT o.* FROM outbox o JOIN threads t ON t.id = o.thread_id
        WHERE o.status = 'pending' AND o.not_before <= $1 AND t.kind = ANY($3::text[])
          -- Rows another replica holds the Slack lease for are its to send: not read, not parsed.
          AND ($5::text IS NULL OR NOT EXISTS (
            SELECT 1 FROM leases l
             WHERE l.name = CASE WHEN o.kind = 'update_parent' THEN 'update' ELSE 'post:' || o.channel END
               AND l.owner <> $5 AND l.expires_at > ${DB_NOW_MS}))
          AND (
          o.kind = 'post_parent'
          OR (t.parent_ts IS NOT NULL AND o.kind = 'reply' AND o.id = (
            SELECT min(id) FROM outbox WHERE thread_id = o.thread_id AND kind = 'reply' AND status IN ('pending', 'inflight')))
          OR (t.parent_ts IS NOT NULL AND o.kind = 'update_parent' AND o.id = (
            SELECT max(id) FROM outbox WHERE thread_id = o.thread_id AND kind = 'update_parent' AND status IN ('pending', 'inflight')))
        )
     ),
     -- A few per channel and call type, so a storm on one channel cannot crowd the others out.
     ranked AS (
       SELECT *, row_number() OVER (PARTITION BY channel, kind = 'update_parent' ORDER BY id) AS rn FROM eligible
     )
     SELECT * FROM ranked WHERE rn <= $4 ORDER BY id LIMIT $2`,
    [finite(now), limit, opts.kinds ?? ALL_KINDS, opts.perChannel ?? 10, opts.owner ?? null],
  );
  return rows.map(toOutbox);
}

/**
 * Timed on the database's clock, as leases are (postgres-leases.ts): the stale-claim sweep of any
 * replica measures a claim's age on the same clock, so no replica's skew can make a live call look
 * stale, or a dead one's look fresh.
 */
export async function claimOutbox(db: PostgresDb, id: number, owner?: string): Promise<boolean> {
  const n = await db.run(
    `UPDATE outbox SET status = 'inflight', attempts = attempts + 1, claimed_at = ${DB_NOW_MS}, claimed_by = $2
      WHERE id = $1 AND status = 'pending'`,
    [id, owner ?? null],
  );
  return n === 1;
}

/**
 * One statement, so one round trip per message sent (it was six): the row done, the parent ts
 * saved, older pending edits settled by this one (it rendered the latest state), the message
 * recorded — atomically. Fenced: only a row still in flight, and claimed by `owner` when one is
 * given. A replica that stalled past its lease had its rows taken back (recoverInflight) and
 * maybe claimed again elsewhere; its late result must not finish or revive what is no longer its
 * own. False when nothing changed.
 */
export async function completeOutbox(
  db: PostgresDb,
  id: number,
  m: MessageRecord,
  owner?: string,
): Promise<boolean> {
  const rows = await db.query(
    `WITH item AS (
       UPDATE outbox SET status = 'done', last_error = NULL
        WHERE id = $1 AND status = 'inflight' AND ($9::text IS NULL OR claimed_by = $9)
        RETURNING thread_id, kind
     ), parent AS (
       UPDATE threads t SET parent_ts = $4, channel = $3 FROM item
        WHERE item.kind = 'post_parent' AND t.id = item.thread_id AND t.parent_ts IS NULL
     ), settled AS (
       UPDATE outbox o SET status = 'done', last_error = 'coalesced' FROM item
        WHERE item.kind = 'update_parent' AND o.thread_id = item.thread_id AND o.kind = 'update_parent'
          AND o.status = 'pending' AND o.id < $1
     )
     INSERT INTO messages (outbox_id, thread_id, channel, ts, kind, text, blocks, at)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM item
     ON CONFLICT (outbox_id) DO UPDATE SET ts = excluded.ts, text = excluded.text,
       blocks = excluded.blocks, at = excluded.at, channel = excluded.channel
     RETURNING outbox_id`,
    [id, m.threadId, m.channel, m.ts, m.kind, m.text, JSON.stringify(m.blocks ?? null), m.at, owner ?? null],
  );
  return rows.length === 1;
}

/** Fenced like completeOutbox: a late failure cannot put a finished row back to pending, or kill it. */
export async function failOutbox(
  db: PostgresDb,
  id: number,
  f: OutboxFailure,
  owner?: string,
): Promise<boolean> {
  return db.tx(async (c) => {
    const { rowCount } = await c.query(
      `UPDATE outbox SET status = $1, not_before = $2, uncertain = $3, last_error = $4
        WHERE id = $5 AND status = 'inflight' AND ($6::text IS NULL OR claimed_by = $6)`,
      [f.dead ? 'dead' : 'pending', finite(f.retryAt), f.uncertain ? 1 : 0, f.error, id, owner ?? null],
    );
    if (rowCount !== 1) return false;
    if (!f.dead) return true;
    // Without a parent its replies and edits can never go out: settle them, visibly.
    await c.query(
      `UPDATE outbox SET status = 'dead', last_error = 'parent_not_posted'
        WHERE status = 'pending' AND thread_id = (SELECT thread_id FROM outbox WHERE id = $1 AND kind = 'post_parent')`,
      [id],
    );
    return true;
  });
}

/**
 * `claimedFor` and `silentForMs` are measured on the database's clock, as claims and heartbeats
 * are written (postgres-leases.ts): a replica whose own clock runs ahead cannot find a live peer's
 * call stale or the peer silent. `claimedFor.now` is not used here.
 */
export async function recoverInflight(db: PostgresDb, opts: RecoverInflightOptions = {}): Promise<number> {
  const params: unknown[] = [opts.kinds ?? ALL_KINDS];
  let where = '';
  if (opts.claimedFor) {
    params.push(opts.claimedFor.ms);
    where += ` AND coalesce(claimed_at, 0) <= ${DB_NOW_MS} - $${params.length}`;
  }
  if (opts.silentForMs !== undefined) {
    params.push(opts.silentForMs);
    where += ` AND claimed_by IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM replicas r WHERE r.owner = outbox.claimed_by AND r.seen_at >= ${DB_NOW_MS} - $${params.length})`;
  }
  return db.run(
    `UPDATE outbox SET status = 'pending', uncertain = 1
      WHERE status = 'inflight' AND thread_id IN (SELECT id FROM threads WHERE kind = ANY($1::text[]))${where}`,
    params,
  );
}

export async function openThread(db: PostgresDb, t: Parameters<ThreadStore['openThread']>[0]): Promise<void> {
  await db.tx(async (c) => {
    const created = await c.query(
      `INSERT INTO threads (id, kind, thread_key, seq, channel, parent_ts, status, state, opened_at, updated_at)
       VALUES ($1, $2, $3, 1, $4, $5, 'open', $6, $7, $7) ON CONFLICT (id) DO NOTHING`,
      [t.id, t.kind, t.threadKey, t.channel, t.parentTs, JSON.stringify(t.state), t.now],
    );
    if (created.rowCount === 1 && t.parentTs === null)
      await insertOutbox(c, t.id, t.channel, 'post_parent', null, t.now);
  });
}

export async function enqueue(
  db: PostgresDb,
  threadId: string,
  kind: OutboxKind,
  payload: unknown,
  now: number,
): Promise<number> {
  return db.tx(async (c) => {
    const row = (await c.query('SELECT channel FROM threads WHERE id = $1', [threadId])).rows[0];
    if (!row) throw new Error(`no thread ${threadId}`);
    return insertOutbox(c, threadId, row.channel as string, kind, payload, now);
  });
}

export async function insertOutbox(
  c: Queryable,
  threadId: string,
  channel: string,
  kind: OutboxKind,
  payload: unknown,
  now: number,
): Promise<number> {
  const { rows } = await c.query(
    `INSERT INTO outbox (thread_id, channel, kind, payload, not_before, created_at)
     VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
    [
      threadId,
      channel,
      kind,
      payload === null || payload === undefined ? null : JSON.stringify(payload),
      now,
    ],
  );
  return (rows[0] as Row).id as number;
}

export async function outboxOf(db: PostgresDb, threadId: string): Promise<OutboxItem[]> {
  return (await db.query('SELECT * FROM outbox WHERE thread_id = $1 ORDER BY id', [threadId])).map(toOutbox);
}
