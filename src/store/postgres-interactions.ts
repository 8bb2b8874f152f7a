import type { PostgresDb, Row } from './postgres-db.js';
import { insertOutbox } from './postgres-outbox.js';
import type { NewSlackAction, SlackActionRecord, ThreadInteraction } from './types.js';

/**
 * The PostgreSQL side of Slack interactivity, the same rules as sqlite-interactions.ts. Button
 * presses are claimed with FOR UPDATE SKIP LOCKED, so replicas share the queue without waiting.
 */

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

export async function claimSlackActions(
  db: PostgresDb,
  now: number,
  limit: number,
  staleBefore: number,
): Promise<SlackActionRecord[]> {
  const rows = await db.query(
    `UPDATE slack_actions SET status = 'running', claimed_at = $1
      WHERE id IN (SELECT id FROM slack_actions
                    WHERE status = 'pending' OR (status = 'running' AND claimed_at <= $2)
                    ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [now, staleBefore, limit],
  );
  return rows.map(toAction).sort((a, b) => a.id - b.id);
}

export async function finishSlackAction(
  db: PostgresDb,
  id: number,
  outcome: { error?: string },
  now: number,
): Promise<boolean> {
  const n = await db.run(
    "UPDATE slack_actions SET status = $1, error = $2, finished_at = $3 WHERE id = $4 AND status = 'running'",
    [outcome.error ? 'failed' : 'done', outcome.error ?? null, now, id],
  );
  return n === 1;
}

function toAction(r: Row): SlackActionRecord {
  const rec: SlackActionRecord = {
    id: r.id as number,
    threadId: r.thread_id as string,
    kind: r.kind as SlackActionRecord['kind'],
    actor: JSON.parse(r.actor as string),
    now: r.created_at as number,
    status: r.status as SlackActionRecord['status'],
    error: (r.error as string | null) ?? null,
  };
  if (r.duration_ms !== null) rec.durationMs = r.duration_ms as number;
  if (r.response_url !== null) rec.responseUrl = r.response_url as string;
  return rec;
}
