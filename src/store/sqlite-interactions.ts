import type { SqliteDb } from './sqlite-db.js';
import { insertOutbox } from './sqlite-outbox.js';
import { toAction, type Row } from './sqlite-rows.js';
import type { InteractionChange, NewSlackAction, SlackActionRecord, ThreadInteraction } from './types.js';

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

export function updateInteraction(
  s: SqliteDb,
  threadId: string,
  change: InteractionChange,
  now: number,
): { interaction: ThreadInteraction; changed: boolean } | null {
  // One connection, one synchronous transaction: nothing runs between the read and the write.
  return s.tx(() => {
    const row = s.sql('SELECT channel, interaction FROM threads WHERE id = ?').get(threadId) as
      Row | undefined;
    if (!row) return null;
    const current = JSON.parse((row.interaction as string | null) ?? '{}') as ThreadInteraction;
    const next = change(current);
    if (next === undefined) return { interaction: current, changed: false };
    s.sql('UPDATE threads SET interaction = ? WHERE id = ?').run(JSON.stringify(next), threadId);
    insertOutbox(s, threadId, row.channel as string, 'update_parent', null, now);
    return { interaction: next, changed: true };
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

/**
 * Only the oldest unfinished press of each thread may be taken, and only when nobody holds it
 * (pending, or its claim lapsed): presses of one thread run one at a time and in order.
 */
const CLAIMABLE = `SELECT a.id FROM slack_actions a
  WHERE (a.status = 'pending' OR (a.status = 'running' AND a.claimed_at <= @stale))
    AND NOT EXISTS (SELECT 1 FROM slack_actions o
                     WHERE o.thread_id = a.thread_id AND o.id < a.id AND o.status IN ('pending', 'running'))
  ORDER BY a.id`;

export function claimSlackActions(
  s: SqliteDb,
  now: number,
  limit: number,
  stale: { claimedForMs: number },
): SlackActionRecord[] {
  const rows = s.guard(
    () =>
      s
        .sql(
          `UPDATE slack_actions SET status = 'running', claimed_at = @now
           WHERE id IN (${CLAIMABLE} LIMIT @limit)
           RETURNING *`,
        )
        .all({ now, stale: now - stale.claimedForMs, limit }) as Row[],
  );
  return rows.map(toAction).sort((a, b) => a.id - b.id);
}

export function finishSlackAction(
  s: SqliteDb,
  id: number,
  outcome: { error?: string },
  now: number,
  claimedAt?: number,
): boolean {
  return s.guard(
    () =>
      s
        .sql(
          `UPDATE slack_actions SET status = ?, error = ?, finished_at = ?
            WHERE id = ? AND status = 'running' AND (? IS NULL OR claimed_at = ?)`,
        )
        .run(
          outcome.error ? 'failed' : 'done',
          outcome.error ?? null,
          now,
          id,
          claimedAt ?? null,
          claimedAt ?? null,
        ).changes === 1,
  );
}
