import type {
  MessageRecord,
  OutboxFailure,
  OutboxItem,
  OutboxKind,
  RecoverInflightOptions,
  ThreadStore,
  DeliverableOptions,
} from './types.js';
import type { SqliteDb } from './sqlite-db.js';
import { ALL_KINDS, toOutbox, type Row } from './sqlite-rows.js';

/**
 * The outbox half of the SQLite store: what the thread engine reads and writes. Plain functions
 * over one connection; better-sqlite3 is synchronous, so each runs to its end without interleaving.
 */
export function deliverable(
  s: SqliteDb,
  now: number,
  limit: number,
  opts: DeliverableOptions = {},
): OutboxItem[] {
  const kinds = opts.kinds ?? ALL_KINDS;
  const rows = s.guard(
    () =>
      s
        .sql(
          `WITH eligible AS (
           SELECT o.* FROM outbox o JOIN threads t ON t.id = o.thread_id
           WHERE o.status = 'pending' AND o.not_before <= @now
             AND t.kind IN (SELECT value FROM json_each(@kinds)) AND (
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
         SELECT * FROM ranked WHERE rn <= @perChannel ORDER BY id LIMIT @limit`,
        )
        .all({ now, limit, kinds: JSON.stringify(kinds), perChannel: opts.perChannel ?? 10 }) as Row[],
  );
  return rows.map(toOutbox);
}

export function claimOutbox(s: SqliteDb, id: number, now: number): boolean {
  return s.guard(
    () =>
      s
        .sql(
          "UPDATE outbox SET status = 'inflight', attempts = attempts + 1, claimed_at = ? WHERE id = ? AND status = 'pending'",
        )
        .run(now, id).changes === 1,
  );
}

/**
 * Only a row still in flight (the same fence as the PostgreSQL store's, where it also checks the
 * claimer): a result that arrives after the stale-claim sweep took the row back changes nothing,
 * and the row is looked up in Slack before it is sent again. One process owns every claim here.
 */
export function completeOutbox(s: SqliteDb, id: number, m: MessageRecord): boolean {
  return s.guard(() =>
    s.db.transaction(() => {
      const item = s.sql("SELECT * FROM outbox WHERE id = ? AND status = 'inflight'").get(id) as
        Row | undefined;
      if (!item) return false;
      s.sql("UPDATE outbox SET status = 'done', last_error = NULL WHERE id = ?").run(id);
      if (item.kind === 'post_parent') {
        s.sql('UPDATE threads SET parent_ts = ?, channel = ? WHERE id = ? AND parent_ts IS NULL').run(
          m.ts,
          m.channel,
          item.thread_id,
        );
      }
      if (item.kind === 'update_parent') {
        // The edit rendered the latest state, so every older pending edit is settled by it.
        s.sql(
          "UPDATE outbox SET status = 'done', last_error = 'coalesced' WHERE thread_id = ? AND kind = 'update_parent' AND status = 'pending' AND id < ?",
        ).run(item.thread_id, id);
      }
      s.sql(
        'INSERT OR REPLACE INTO messages (outbox_id, thread_id, channel, ts, kind, text, blocks, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(id, m.threadId, m.channel, m.ts, m.kind, m.text, JSON.stringify(m.blocks ?? null), m.at);
      return true;
    })(),
  );
}

export function failOutbox(s: SqliteDb, id: number, f: OutboxFailure): boolean {
  return s.guard(() =>
    s.db.transaction(() => {
      const changed = s
        .sql(
          "UPDATE outbox SET status = ?, not_before = ?, uncertain = ?, last_error = ? WHERE id = ? AND status = 'inflight'",
        )
        .run(f.dead ? 'dead' : 'pending', f.retryAt, f.uncertain ? 1 : 0, f.error, id).changes;
      if (changed !== 1) return false;
      if (!f.dead) return true;
      // Without a parent its replies and edits can never go out: settle them, visibly.
      s.sql(
        `UPDATE outbox SET status = 'dead', last_error = 'parent_not_posted'
         WHERE status = 'pending' AND thread_id = (SELECT thread_id FROM outbox WHERE id = ? AND kind = 'post_parent')`,
      ).run(id);
      return true;
    })(),
  );
}

export function recoverInflight(s: SqliteDb, opts: RecoverInflightOptions = {}): number {
  return s.guard(
    () =>
      s
        .sql(
          `UPDATE outbox SET status = 'pending', uncertain = 1
         WHERE status = 'inflight' AND coalesce(claimed_at, 0) <= @before
           AND thread_id IN (SELECT id FROM threads WHERE kind IN (SELECT value FROM json_each(@kinds)))`,
        )
        .run({
          before: opts.claimedFor ? opts.claimedFor.now - opts.claimedFor.ms : Number.MAX_SAFE_INTEGER,
          kinds: JSON.stringify(opts.kinds ?? ALL_KINDS),
        }).changes,
  );
}

export function openThread(s: SqliteDb, t: Parameters<ThreadStore['openThread']>[0]): void {
  s.guard(() =>
    s.db.transaction(() => {
      const created = s
        .sql(
          `INSERT INTO threads (id, kind, thread_key, seq, channel, parent_ts, status, state, opened_at, updated_at)
           VALUES (?, ?, ?, 1, ?, ?, 'open', ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        )
        .run(t.id, t.kind, t.threadKey, t.channel, t.parentTs, JSON.stringify(t.state), t.now, t.now).changes;
      if (created === 1 && t.parentTs === null) insertOutbox(s, t.id, t.channel, 'post_parent', null, t.now);
    })(),
  );
}

export function enqueue(
  s: SqliteDb,
  threadId: string,
  kind: OutboxKind,
  payload: unknown,
  now: number,
): number {
  return s.guard(() => {
    const row = s.sql('SELECT channel FROM threads WHERE id = ?').get(threadId) as Row | undefined;
    if (!row) throw new Error(`no thread ${threadId}`);
    return insertOutbox(s, threadId, row.channel as string, kind, payload, now);
  });
}

export function insertOutbox(
  s: SqliteDb,
  threadId: string,
  channel: string,
  kind: OutboxKind,
  payload: unknown,
  now: number,
): number {
  return s
    .sql(
      'INSERT INTO outbox (thread_id, channel, kind, payload, not_before, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(
      threadId,
      channel,
      kind,
      payload === null || payload === undefined ? null : JSON.stringify(payload),
      now,
      now,
    ).lastInsertRowid as number;
}
