import type { SqliteDb } from './sqlite-db.js';
import type { Row } from './sqlite-rows.js';

/**
 * Retention for the SQLite store: processed notifications, finished button presses, and old
 * resolved threads with everything that hangs off them (messages, finished outbox rows, digest
 * rows, parent moves, presses). The latest episode of each key stays: a re-fire links to it.
 */
export function prune(
  s: SqliteDb,
  cut: { notificationsBefore: number; threadsBefore: number },
): { notifications: number; threads: number; slackActions: number } {
  return s.tx(() => {
    // The payloads go first: they are what takes the space.
    s.sql(
      `DELETE FROM notification_parts WHERE id IN
         (SELECT id FROM notifications WHERE processed_at IS NOT NULL AND received_at < ?)`,
    ).run(cut.notificationsBefore);
    const notifications = s
      .sql('DELETE FROM notifications WHERE processed_at IS NOT NULL AND received_at < ?')
      .run(cut.notificationsBefore).changes;
    // A carried-out press is an input like a processed notification; the thread keeps its outcome.
    let slackActions = s
      .sql("DELETE FROM slack_actions WHERE status IN ('done', 'failed') AND finished_at < ?")
      .run(cut.notificationsBefore).changes;
    const old = `SELECT t.id FROM threads t WHERE t.status = 'resolved' AND t.resolved_at < @before
      AND t.seq < (SELECT max(seq) FROM threads l WHERE l.kind = t.kind AND l.thread_key = t.thread_key)
      AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.thread_id = t.id AND o.status IN ('pending', 'inflight'))`;
    const ids = (s.sql(old).all({ before: cut.threadsBefore }) as Row[]).map((r) => r.id as string);
    const del = [
      'DELETE FROM messages WHERE thread_id = @id',
      'DELETE FROM outbox WHERE thread_id = @id',
      'DELETE FROM parent_moves WHERE thread_id = @id',
      // A pruned digest takes its table rows along, and a pruned member its row in any digest.
      'DELETE FROM digest_entries WHERE digest_id = @id OR thread_id = @id',
      'UPDATE threads SET previous_id = NULL WHERE previous_id = @id',
      'DELETE FROM threads WHERE id = @id',
    ].map((q) => s.sql(q));
    const presses = s.sql("DELETE FROM slack_actions WHERE thread_id = ? AND status IN ('done', 'failed')");
    for (const id of ids) {
      slackActions += presses.run(id).changes;
      for (const d of del) d.run({ id });
    }
    return { notifications, threads: ids.length, slackActions };
  });
}
