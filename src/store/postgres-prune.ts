import type { PostgresDb } from './postgres-db.js';

/**
 * Retention for the PostgreSQL store, the same rules as sqlite-prune.ts: processed notifications,
 * finished button presses, and old resolved threads with everything that hangs off them (messages,
 * finished outbox rows, digest rows, parent moves, presses). The latest episode of each key stays:
 * a re-fire links to it.
 */
export async function prune(
  db: PostgresDb,
  cut: { notificationsBefore: number; threadsBefore: number },
): Promise<{ notifications: number; threads: number; slackActions: number }> {
  return db.tx(async (c) => {
    // The payloads go first: they are what takes the space.
    await c.query(
      `DELETE FROM notification_parts WHERE id IN
         (SELECT id FROM notifications WHERE processed_at IS NOT NULL AND received_at < $1)`,
      [cut.notificationsBefore],
    );
    const notifications =
      (
        await c.query('DELETE FROM notifications WHERE processed_at IS NOT NULL AND received_at < $1', [
          cut.notificationsBefore,
        ])
      ).rowCount ?? 0;
    // A carried-out press is an input like a processed notification; the thread keeps its outcome.
    let slackActions =
      (
        await c.query("DELETE FROM slack_actions WHERE status IN ('done', 'failed') AND finished_at < $1", [
          cut.notificationsBefore,
        ])
      ).rowCount ?? 0;
    const ids = (
      await c.query(
        `SELECT t.id FROM threads t WHERE t.status = 'resolved' AND t.resolved_at < $1
           AND t.seq < (SELECT max(seq) FROM threads l WHERE l.kind = t.kind AND l.thread_key = t.thread_key)
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.thread_id = t.id AND o.status IN ('pending', 'inflight'))
         FOR UPDATE`,
        [cut.threadsBefore],
      )
    ).rows.map((r) => r.id as string);
    if (ids.length > 0) {
      await c.query('DELETE FROM messages WHERE thread_id = ANY($1::text[])', [ids]);
      await c.query('DELETE FROM outbox WHERE thread_id = ANY($1::text[])', [ids]);
      await c.query('DELETE FROM parent_moves WHERE thread_id = ANY($1::text[])', [ids]);
      // A pruned digest takes its table rows along, and a pruned member its row in any digest.
      await c.query(
        'DELETE FROM digest_entries WHERE digest_id = ANY($1::text[]) OR thread_id = ANY($1::text[])',
        [ids],
      );
      slackActions +=
        (
          await c.query(
            "DELETE FROM slack_actions WHERE thread_id = ANY($1::text[]) AND status IN ('done', 'failed')",
            [ids],
          )
        ).rowCount ?? 0;
      await c.query('UPDATE threads SET previous_id = NULL WHERE previous_id = ANY($1::text[])', [ids]);
      await c.query('DELETE FROM threads WHERE id = ANY($1::text[])', [ids]);
    }
    return { notifications, threads: ids.length, slackActions };
  });
}
