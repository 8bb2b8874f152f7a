import type { SqliteDb } from './sqlite-db.js';
import { insertOutbox } from './sqlite-outbox.js';
import type { Row } from './sqlite-rows.js';
import type { NewSlackAction, SlackActionRecord, ThreadInteraction } from './types.js';

/**
 * The SQLite side of Slack interactivity: a thread's interaction state (its own column, so the
 * processor's state rewrites never race an Ack), the replay memory of signed requests, and the
 * durable queue of button presses.
 */

export function saveInteraction(
  s: SqliteDb,
  threadId: string,
  interaction: ThreadInteraction,
  now: number,
): boolean {
  return s.tx(() => {
    const row = s.sql('SELECT channel FROM threads WHERE id = ?').get(threadId) as Row | undefined;
    if (!row) return false;
    s.sql('UPDATE threads SET interaction = ? WHERE id = ?').run(JSON.stringify(interaction), threadId);
    insertOutbox(s, threadId, row.channel as string, 'update_parent', null, now);
    return true;
  });
}

export function rememberOnce(s: SqliteDb, key: string, expiresAt: number, now: number): boolean {
  return s.tx(() => {
    s.sql('DELETE FROM seen_requests WHERE expires_at <= ?').run(now);
    return (
      s.sql('INSERT OR IGNORE INTO seen_requests (key, expires_at) VALUES (?, ?)').run(key, expiresAt)
        .changes === 1
    );
  });
}

export function queueSlackAction(s: SqliteDb, a: NewSlackAction): number {
  return s.guard(
    () =>
      s
        .sql(
          `INSERT INTO slack_actions (thread_id, kind, actor, duration_ms, response_url, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(a.threadId, a.kind, JSON.stringify(a.actor), a.durationMs ?? null, a.responseUrl ?? null, a.now)
        .lastInsertRowid as number,
  );
}

export function claimSlackActions(
  s: SqliteDb,
  now: number,
  limit: number,
  staleBefore: number,
): SlackActionRecord[] {
  const rows = s.guard(
    () =>
      s
        .sql(
          `UPDATE slack_actions SET status = 'running', claimed_at = @now
           WHERE id IN (SELECT id FROM slack_actions
                        WHERE status = 'pending' OR (status = 'running' AND claimed_at <= @stale)
                        ORDER BY id LIMIT @limit)
           RETURNING *`,
        )
        .all({ now, stale: staleBefore, limit }) as Row[],
  );
  return rows.map(toAction).sort((a, b) => a.id - b.id);
}

export function finishSlackAction(
  s: SqliteDb,
  id: number,
  outcome: { error?: string },
  now: number,
): boolean {
  return s.guard(
    () =>
      s
        .sql(
          "UPDATE slack_actions SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running'",
        )
        .run(outcome.error ? 'failed' : 'done', outcome.error ?? null, now, id).changes === 1,
  );
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
