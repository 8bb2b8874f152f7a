import type { PostgresDb, Row } from './postgres-db.js';
import { DB_NOW_MS } from './postgres-leases.js';
import { insertOutbox } from './postgres-outbox.js';
import { toAction } from './sqlite-rows.js';
import type { InteractionChange, NewSlackAction, SlackActionRecord, ThreadInteraction } from './types.js';

/**
 * The PostgreSQL side of Slack interactivity, the same rules as sqlite-interactions.ts. Replicas
 * share the queue of button presses; claims take a transaction-scoped advisory lock, so a claim
 * always sees the presses another replica just took (SKIP LOCKED would let two replicas take two
 * presses of one thread at once: each sees the other's as still pending, merely locked).
 */

/** Any fixed key shared by every replica: serializes press claims (rare, and each one short). */
const CLAIM_LOCK = 0x7e4c_a1c7;

export async function saveInteraction(
  db: PostgresDb,
  threadId: string,
  interaction: ThreadInteraction,
  now: number,
): Promise<boolean> {
  return db.tx(async (c) => {
    const row = (
      await c.query('UPDATE threads SET interaction = $1 WHERE id = $2 RETURNING channel', [
        JSON.stringify(interaction),
        threadId,
      ])
    ).rows[0];
    if (!row) return false;
    await insertOutbox(c, threadId, row.channel as string, 'update_parent', null, now);
    return true;
  });
}

export async function updateInteraction(
  db: PostgresDb,
  threadId: string,
  change: InteractionChange,
  now: number,
): Promise<{ interaction: ThreadInteraction; changed: boolean } | null> {
  return db.tx(async (c) => {
    const row = (
      await c.query('SELECT channel, interaction FROM threads WHERE id = $1 FOR UPDATE', [threadId])
    ).rows[0];
    if (!row) return null;
    const current = JSON.parse((row.interaction as string | null) ?? '{}') as ThreadInteraction;
    const next = change(current);
    if (next === undefined) return { interaction: current, changed: false };
    await c.query('UPDATE threads SET interaction = $1 WHERE id = $2', [JSON.stringify(next), threadId]);
    await insertOutbox(c, threadId, row.channel as string, 'update_parent', null, now);
    return { interaction: next, changed: true };
  });
}

export async function rememberOnce(
  db: PostgresDb,
  key: string,
  expiresAt: number,
  now: number,
): Promise<boolean> {
  return db.tx(async (c) => {
    await c.query('DELETE FROM seen_requests WHERE expires_at <= $1', [now]);
    const res = await c.query(
      'INSERT INTO seen_requests (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
      [key, expiresAt],
    );
    return res.rowCount === 1;
  });
}

export async function queueSlackAction(db: PostgresDb, a: NewSlackAction): Promise<number> {
  const [row] = await db.query(
    `INSERT INTO slack_actions (thread_id, kind, actor, duration_ms, response_url, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [a.threadId, a.kind, JSON.stringify(a.actor), a.durationMs ?? null, a.responseUrl ?? null, a.now],
  );
  return (row as Row).id as number;
}

/**
 * Claims are timed on the database's clock, as leases are (postgres-leases.ts), so a replica whose
 * clock runs ahead cannot take over a press a live peer is still carrying out. A claim's time is
 * also finishSlackAction's fence: a re-claim within the same millisecond still gets a time of its
 * own (one past the last), or the taker it replaced could finish the press.
 */
export async function claimSlackActions(
  db: PostgresDb,
  limit: number,
  stale: { claimedForMs: number },
): Promise<SlackActionRecord[]> {
  const rows = await db.tx(async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK]);
    // Only the oldest unfinished press of each thread, and only when nobody holds it: presses of
    // one thread run one at a time and in order.
    const res = await c.query(
      `UPDATE slack_actions SET status = 'running',
              claimed_at = GREATEST(${DB_NOW_MS}, coalesce(claimed_at, 0) + 1)
        WHERE id IN (SELECT a.id FROM slack_actions a
                      WHERE (a.status = 'pending'
                             OR (a.status = 'running' AND a.claimed_at <= ${DB_NOW_MS} - $1))
                        AND NOT EXISTS (SELECT 1 FROM slack_actions o
                                         WHERE o.thread_id = a.thread_id AND o.id < a.id
                                           AND o.status IN ('pending', 'running'))
                      ORDER BY a.id LIMIT $2)
        RETURNING *`,
      [stale.claimedForMs, limit],
    );
    return res.rows;
  });
  return rows.map(toAction).sort((a, b) => a.id - b.id);
}

export async function finishSlackAction(
  db: PostgresDb,
  id: number,
  outcome: { error?: string },
  now: number,
  claimedAt?: number,
): Promise<boolean> {
  const n = await db.run(
    `UPDATE slack_actions SET status = $1, error = $2, finished_at = $3
      WHERE id = $4 AND status = 'running' AND ($5::bigint IS NULL OR claimed_at = $5::bigint)`,
    [outcome.error ? 'failed' : 'done', outcome.error ?? null, now, id, claimedAt ?? null],
  );
  return n === 1;
}
