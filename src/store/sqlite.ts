import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EpisodeState, NotificationPart } from '../core/types.js';
import { StoreUnavailableError } from '../errors.js';
import { sqliteMigrations } from './sqlite-schema.js';
import type {
  CommitDecision,
  DeliverableOptions,
  MessageRecord,
  NewNotification,
  OutboxFailure,
  OutboxKind,
  OutboxItem,
  PendingNotification,
  StoreStats,
  ThreadKind,
  ThreadRecord,
  ThreadStore,
} from './types.js';

type Row = Record<string, unknown>;

const ALL_KINDS: ThreadKind[] = ['alert', 'deploy', 'note'];

export interface SqliteOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  /**
   * 'normal' (default) survives a killed process — the WAL is in the OS page cache; 'full' also
   * survives power loss, at the price of an fsync per accepted webhook.
   */
  synchronous?: 'normal' | 'full';
}

/**
 * The default store. better-sqlite3 is synchronous, so every method runs its transaction to the
 * end before yielding: there is no interleaving inside one process, and a second process is kept
 * out by SQLite's own file lock (busy_timeout).
 */
export class SqliteStore implements ThreadStore {
  readonly kind = 'sqlite';
  private db!: Database.Database;

  constructor(private readonly opts: SqliteOptions) {}

  async init(): Promise<void> {
    if (this.opts.path !== ':memory:') mkdirSync(dirname(this.opts.path), { recursive: true });
    this.db = new Database(this.opts.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${this.opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER)',
    );
    const done = new Set(
      (this.sql('SELECT version FROM schema_migrations').all() as Row[]).map((r) => r.version as number),
    );
    sqliteMigrations.forEach((sql, i) => {
      const version = i + 1;
      if (done.has(version)) return;
      this.db.transaction(() => {
        this.db.exec(sql);
        this.sql('INSERT INTO schema_migrations VALUES (?, ?)').run(version, Date.now());
      })();
    });
  }

  async close(): Promise<void> {
    this.recentParts.clear();
    this.latest.clear();
    if (this.db?.open) this.db.close();
  }

  async ping(): Promise<void> {
    this.guard(() => this.sql('SELECT 1').get());
  }

  private readonly statements = new Map<string, Database.Statement>();
  /**
   * One `threader serve` writes a SQLite file, so what it just wrote can be served from memory:
   * the payload of a notification until it is processed, and the latest episode of each key.
   * Both are filled after the transaction commits, never before (bounded, oldest out first).
   */
  private readonly recentParts = new Map<number, NotificationPart>();
  private readonly latest = new Map<string, EpisodeState | null>();

  /** Prepared once per SQL text: preparing on every call cost ~9% of intake CPU. */
  private sql(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  /** Every SQLite failure becomes StoreUnavailableError (503 at the webhook: Alertmanager retries). */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new StoreUnavailableError(`store: ${(err as Error).message}`);
    }
  }

  async appendNotifications(items: NewNotification[]): Promise<number[]> {
    const ids = this.guard(() => {
      const insert = this.sql(
        'INSERT INTO notifications (thread_key, channel, received_at) VALUES (?, ?, ?)',
      );
      const body = this.sql('INSERT INTO notification_parts (id, part) VALUES (?, ?)');
      return this.db.transaction(() =>
        items.map((n) => {
          const id = insert.run(n.threadKey, n.channel, n.receivedAt).lastInsertRowid as number;
          body.run(id, JSON.stringify(n.part));
          return id;
        }),
      )();
    });
    ids.forEach((id, i) => remember(this.recentParts, id, (items[i] as NewNotification).part));
    return ids;
  }

  async pendingNotifications(limit: number): Promise<PendingNotification[]> {
    return this.guard(() => {
      const rows = this.sql('SELECT * FROM notifications WHERE processed_at IS NULL ORDER BY id LIMIT ?').all(
        limit,
      ) as Row[];
      const missing = rows.map((r) => r.id as number).filter((id) => !this.recentParts.has(id));
      const loaded = new Map<number, NotificationPart>();
      if (missing.length > 0) {
        const parts = this.sql(
          'SELECT id, part FROM notification_parts WHERE id IN (SELECT value FROM json_each(?))',
        ).all(JSON.stringify(missing)) as Row[];
        for (const p of parts) loaded.set(p.id as number, JSON.parse(p.part as string));
      }
      return rows.map((r) => ({
        id: r.id as number,
        threadKey: r.thread_key as string,
        channel: r.channel as string,
        receivedAt: r.received_at as number,
        part: (this.recentParts.get(r.id as number) ?? loaded.get(r.id as number)) as NotificationPart,
      }));
    });
  }

  async latestEpisode(threadKey: string): Promise<EpisodeState | null> {
    const known = this.latest.get(threadKey);
    if (known !== undefined) return known;
    const row = this.guard(
      () =>
        this.sql(
          "SELECT state FROM threads WHERE kind = 'alert' AND thread_key = ? ORDER BY seq DESC LIMIT 1",
        ).get(threadKey) as Row | undefined,
    );
    const episode = row ? (JSON.parse(row.state as string) as EpisodeState) : null;
    remember(this.latest, threadKey, episode);
    return episode;
  }

  async commitDecision(d: CommitDecision): Promise<boolean> {
    return (await this.commitDecisions([d]))[0] as boolean;
  }

  async commitDecisions(ds: CommitDecision[]): Promise<boolean[]> {
    const done = this.guard(() => this.db.transaction(() => ds.map((d) => this.commitOne(d)))());
    ds.forEach((d, i) => {
      if (!done[i]) return;
      this.recentParts.delete(d.notificationId);
      if (d.episode && d.reason !== 'duplicate' && d.reason !== 'ignored') {
        remember(this.latest, d.episode.threadKey, d.episode);
      }
    });
    return done;
  }

  private commitOne(d: CommitDecision): boolean {
    const marked = this.sql(
      'UPDATE notifications SET processed_at = ?, result = ? WHERE id = ? AND processed_at IS NULL',
    ).run(d.now, d.reason, d.notificationId);
    if (marked.changes === 0) return false;
    const ep = d.episode;
    // Duplicates and ignored notifications leave the episode exactly as it was.
    if (ep && d.reason !== 'duplicate' && d.reason !== 'ignored') {
      this.sql(
        `INSERT INTO threads (id, kind, thread_key, seq, channel, status, state, opened_at, resolved_at, previous_id, updated_at)
           VALUES (@id, 'alert', @key, @seq, @channel, @status, @state, @openedAt, @resolvedAt, @previousId, @now)
           ON CONFLICT (id) DO UPDATE SET status = excluded.status, state = excluded.state,
             resolved_at = excluded.resolved_at, updated_at = excluded.updated_at`,
      ).run({
        id: ep.id,
        key: ep.threadKey,
        seq: ep.seq,
        channel: ep.channel,
        status: ep.status,
        state: JSON.stringify(ep),
        openedAt: ep.openedAt,
        resolvedAt: ep.resolvedAt ?? null,
        previousId: ep.previous?.id ?? null,
        now: d.now,
      });
    }
    for (const a of d.actions) {
      this.insertOutbox(a.episodeId, ep?.channel ?? '', a.type, a.type === 'reply' ? a.change : null, d.now);
    }
    return true;
  }

  async deliverable(now: number, limit: number, opts: DeliverableOptions = {}): Promise<OutboxItem[]> {
    const kinds = opts.kinds ?? ALL_KINDS;
    const rows = this.guard(
      () =>
        this.sql(
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
        ).all({ now, limit, kinds: JSON.stringify(kinds), perChannel: opts.perChannel ?? 10 }) as Row[],
    );
    return rows.map(toOutbox);
  }

  async claimOutbox(id: number, now: number): Promise<boolean> {
    return this.guard(
      () =>
        this.sql(
          "UPDATE outbox SET status = 'inflight', attempts = attempts + 1, claimed_at = ? WHERE id = ? AND status = 'pending'",
        ).run(now, id).changes === 1,
    );
  }

  async completeOutbox(id: number, m: MessageRecord): Promise<void> {
    this.guard(() =>
      this.db.transaction(() => {
        const item = this.sql('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
        if (!item) return;
        this.sql("UPDATE outbox SET status = 'done', last_error = NULL WHERE id = ?").run(id);
        if (item.kind === 'post_parent') {
          this.sql('UPDATE threads SET parent_ts = ?, channel = ? WHERE id = ? AND parent_ts IS NULL').run(
            m.ts,
            m.channel,
            item.thread_id,
          );
        }
        if (item.kind === 'update_parent') {
          // The edit rendered the latest state, so every older pending edit is settled by it.
          this.sql(
            "UPDATE outbox SET status = 'done', last_error = 'coalesced' WHERE thread_id = ? AND kind = 'update_parent' AND status = 'pending' AND id < ?",
          ).run(item.thread_id, id);
        }
        this.sql(
          'INSERT OR REPLACE INTO messages (outbox_id, thread_id, channel, ts, kind, text, blocks, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(id, m.threadId, m.channel, m.ts, m.kind, m.text, JSON.stringify(m.blocks ?? null), m.at);
      })(),
    );
  }

  async failOutbox(id: number, f: OutboxFailure): Promise<void> {
    this.guard(() =>
      this.db.transaction(() => {
        this.sql(
          'UPDATE outbox SET status = ?, not_before = ?, uncertain = ?, last_error = ? WHERE id = ?',
        ).run(f.dead ? 'dead' : 'pending', f.retryAt, f.uncertain ? 1 : 0, f.error, id);
        if (!f.dead) return;
        // Without a parent its replies and edits can never go out: settle them, visibly.
        this.sql(
          `UPDATE outbox SET status = 'dead', last_error = 'parent_not_posted'
           WHERE status = 'pending' AND thread_id = (SELECT thread_id FROM outbox WHERE id = ? AND kind = 'post_parent')`,
        ).run(id);
      })(),
    );
  }

  async recoverInflight(opts: { kinds?: ThreadKind[]; claimedBefore?: number } = {}): Promise<number> {
    return this.guard(
      () =>
        this.sql(
          `UPDATE outbox SET status = 'pending', uncertain = 1
           WHERE status = 'inflight' AND coalesce(claimed_at, 0) <= @before
             AND thread_id IN (SELECT id FROM threads WHERE kind IN (SELECT value FROM json_each(@kinds)))`,
        ).run({
          before: opts.claimedBefore ?? Number.MAX_SAFE_INTEGER,
          kinds: JSON.stringify(opts.kinds ?? ALL_KINDS),
        }).changes,
    );
  }

  async installationId(): Promise<string> {
    return this.guard(() => {
      this.sql("INSERT OR IGNORE INTO meta (key, value) VALUES ('installation_id', ?)").run(randomUUID());
      return (this.sql("SELECT value FROM meta WHERE key = 'installation_id'").get() as Row).value as string;
    });
  }

  async openThread(t: Parameters<ThreadStore['openThread']>[0]): Promise<void> {
    this.guard(() =>
      this.db.transaction(() => {
        const created = this.sql(
          `INSERT INTO threads (id, kind, thread_key, seq, channel, parent_ts, status, state, opened_at, updated_at)
             VALUES (?, ?, ?, 1, ?, ?, 'open', ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        ).run(
          t.id,
          t.kind,
          t.threadKey,
          t.channel,
          t.parentTs,
          JSON.stringify(t.state),
          t.now,
          t.now,
        ).changes;
        if (created === 1 && t.parentTs === null)
          this.insertOutbox(t.id, t.channel, 'post_parent', null, t.now);
      })(),
    );
  }

  async enqueue(threadId: string, kind: OutboxKind, payload: unknown, now: number): Promise<number> {
    return this.guard(() => {
      const row = this.sql('SELECT channel FROM threads WHERE id = ?').get(threadId) as Row | undefined;
      if (!row) throw new Error(`no thread ${threadId}`);
      return this.insertOutbox(threadId, row.channel as string, kind, payload, now);
    });
  }

  private insertOutbox(
    threadId: string,
    channel: string,
    kind: OutboxKind,
    payload: unknown,
    now: number,
  ): number {
    return this.sql(
      'INSERT INTO outbox (thread_id, channel, kind, payload, not_before, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      threadId,
      channel,
      kind,
      payload === null || payload === undefined ? null : JSON.stringify(payload),
      now,
      now,
    ).lastInsertRowid as number;
  }

  async getThread<S = EpisodeState>(id: string): Promise<ThreadRecord<S> | null> {
    const row = this.guard(() => this.sql('SELECT * FROM threads WHERE id = ?').get(id) as Row | undefined);
    return row ? (toThread(row) as ThreadRecord<S>) : null;
  }

  async listThreads(filter: {
    status?: string;
    channel?: string;
    limit?: number;
    kind?: ThreadKind;
  }): Promise<ThreadRecord[]> {
    const where: string[] = ['kind = @kind'];
    const params: Record<string, unknown> = { limit: filter.limit ?? 100, kind: filter.kind ?? 'alert' };
    if (filter.status) {
      where.push('status = @status');
      params.status = filter.status;
    }
    if (filter.channel) {
      where.push('channel = @channel');
      params.channel = filter.channel;
    }
    const sql = `SELECT * FROM threads ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at DESC, id LIMIT @limit`;
    return this.guard(() => (this.sql(sql).all(params) as Row[]).map(toThread));
  }

  async messages(threadId: string): Promise<MessageRecord[]> {
    const rows = this.guard(
      () => this.sql('SELECT * FROM messages WHERE thread_id = ? ORDER BY outbox_id').all(threadId) as Row[],
    );
    return rows.map((r) => ({
      threadId: r.thread_id as string,
      outboxId: r.outbox_id as number,
      channel: r.channel as string,
      ts: r.ts as string,
      kind: r.kind as MessageRecord['kind'],
      text: r.text as string,
      blocks: JSON.parse((r.blocks as string) ?? 'null'),
      at: r.at as number,
    }));
  }

  async outbox(threadId: string): Promise<OutboxItem[]> {
    return this.guard(() =>
      (this.sql('SELECT * FROM outbox WHERE thread_id = ? ORDER BY id').all(threadId) as Row[]).map(toOutbox),
    );
  }

  async prune(c: { notificationsBefore: number; threadsBefore: number }) {
    return this.guard(() =>
      this.db.transaction(() => {
        // The payloads go first: they are what takes the space.
        this.sql(
          `DELETE FROM notification_parts WHERE id IN
             (SELECT id FROM notifications WHERE processed_at IS NOT NULL AND received_at < ?)`,
        ).run(c.notificationsBefore);
        const notifications = this.sql(
          'DELETE FROM notifications WHERE processed_at IS NOT NULL AND received_at < ?',
        ).run(c.notificationsBefore).changes;
        const old = `SELECT t.id FROM threads t WHERE t.status = 'resolved' AND t.resolved_at < @before
          AND t.seq < (SELECT max(seq) FROM threads l WHERE l.kind = t.kind AND l.thread_key = t.thread_key)
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.thread_id = t.id AND o.status IN ('pending', 'inflight'))`;
        const ids = (this.sql(old).all({ before: c.threadsBefore }) as Row[]).map((r) => r.id as string);
        const del = [
          'DELETE FROM messages WHERE thread_id = ?',
          'DELETE FROM outbox WHERE thread_id = ?',
        ].map((q) => this.sql(q));
        const delThread = this.sql('DELETE FROM threads WHERE id = ?');
        const unlink = this.sql('UPDATE threads SET previous_id = NULL WHERE previous_id = ?');
        for (const id of ids) {
          for (const d of del) d.run(id);
          unlink.run(id);
          delThread.run(id);
        }
        return { notifications, threads: ids.length };
      })(),
    );
  }

  async stats(now: number): Promise<StoreStats> {
    return this.guard(() => {
      const one = (sql: string) => this.sql(sql).get() as Row;
      const outbox = one(
        "SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE status IN ('pending', 'inflight')",
      );
      void now;
      return {
        openThreads: one("SELECT count(*) AS n FROM threads WHERE status = 'firing'").n as number,
        threads: one('SELECT count(*) AS n FROM threads').n as number,
        pendingNotifications: one('SELECT count(*) AS n FROM notifications WHERE processed_at IS NULL')
          .n as number,
        outboxDepth: outbox.n as number,
        oldestOutboxAt: (outbox.oldest as number | null) ?? null,
        deadItems: one("SELECT count(*) AS n FROM outbox WHERE status = 'dead'").n as number,
      };
    });
  }
}

const CACHE_LIMIT = 20_000;

/** Map as a bounded cache: the oldest entry goes when it is full. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > CACHE_LIMIT) map.delete(map.keys().next().value as K);
}

function toOutbox(r: Row): OutboxItem {
  return {
    id: r.id as number,
    threadId: r.thread_id as string,
    channel: r.channel as string,
    kind: r.kind as OutboxItem['kind'],
    payload: r.payload ? JSON.parse(r.payload as string) : null,
    status: r.status as OutboxItem['status'],
    attempts: r.attempts as number,
    notBefore: r.not_before as number,
    createdAt: r.created_at as number,
    uncertain: r.uncertain === 1,
    lastError: (r.last_error as string | null) ?? null,
  };
}

function toThread(r: Row): ThreadRecord {
  return {
    id: r.id as string,
    kind: r.kind as ThreadRecord['kind'],
    threadKey: r.thread_key as string,
    seq: r.seq as number,
    channel: r.channel as string,
    parentTs: (r.parent_ts as string | null) ?? null,
    status: r.status as string,
    state: JSON.parse(r.state as string),
    openedAt: r.opened_at as number,
    resolvedAt: (r.resolved_at as number | null) ?? null,
    previousId: (r.previous_id as string | null) ?? null,
    updatedAt: r.updated_at as number,
  };
}
