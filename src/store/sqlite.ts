import { randomUUID } from 'node:crypto';
import type { DigestEntry, DigestState } from '../core/storm.js';
import type { EpisodeState, NotificationPart } from '../core/types.js';
import { SqliteDb } from './sqlite-db.js';
import * as interactions from './sqlite-interactions.js';
import * as outbox from './sqlite-outbox.js';
import { prune as pruneSqlite } from './sqlite-prune.js';
import * as storm from './sqlite-storm.js';
import { remember, toOutbox, toThread, type Row } from './sqlite-rows.js';
import type {
  CommitDecision,
  DeliverableOptions,
  LeaseHolder,
  MessageRecord,
  NewNotification,
  NewSlackAction,
  OutboxFailure,
  OutboxItem,
  OutboxKind,
  PendingNotification,
  SlackActionRecord,
  StoreStats,
  InteractionChange,
  ThreadInteraction,
  RecoverInflightOptions,
  ThreadKind,
  ThreadRecord,
  ThreadStore,
} from './types.js';
import type { ParentMove } from './storm-types.js';

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
  private s!: SqliteDb;
  /**
   * One `threader serve` writes a SQLite file, so what it just wrote can be served from memory:
   * the payload of a notification until it is processed, and the latest episode of each key.
   * Both are filled after the transaction commits, never before (bounded, oldest out first).
   */
  private readonly recentParts = new Map<number, NotificationPart>();
  private readonly latest = new Map<string, EpisodeState | null>();

  constructor(private readonly opts: SqliteOptions) {}

  async init(): Promise<void> {
    this.s = new SqliteDb(this.opts.path, this.opts.synchronous);
  }

  async close(): Promise<void> {
    this.recentParts.clear();
    this.latest.clear();
    this.s?.close();
  }

  async ping(): Promise<void> {
    this.s.guard(() => this.s.sql('SELECT 1').get());
  }

  private sql(text: string) {
    return this.s.sql(text);
  }

  private guard<T>(fn: () => T): T {
    return this.s.guard(fn);
  }

  async appendNotifications(items: NewNotification[]): Promise<number[]> {
    const ids = this.guard(() => {
      const insert = this.sql(
        'INSERT INTO notifications (thread_key, channel, received_at) VALUES (?, ?, ?)',
      );
      const body = this.sql('INSERT INTO notification_parts (id, part) VALUES (?, ?)');
      return this.s.db.transaction(() =>
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

  async claimNotifications(limit: number, _holder: LeaseHolder): Promise<PendingNotification[]> {
    return this.pendingNotifications(limit);
  }

  async holdLeases(names: string[], _holder: LeaseHolder): Promise<string[]> {
    return [...new Set(names)];
  }

  async releaseLeases(_owner: string, _names: string[]): Promise<void> {}

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

  async latestEpisodes(threadKeys: string[]): Promise<Map<string, EpisodeState | null>> {
    const found = new Map<string, EpisodeState | null>();
    for (const key of threadKeys) found.set(key, await this.latestEpisode(key));
    return found;
  }

  async commitDecision(d: CommitDecision): Promise<boolean> {
    return (await this.commitDecisions([d]))[0] as boolean;
  }

  /** One process writes a SQLite file: it holds every lease, so there is nothing to fence. */
  async commitDecisions(ds: CommitDecision[], _holder?: LeaseHolder): Promise<boolean[]> {
    const done = this.guard(() => this.s.db.transaction(() => ds.map((d) => this.commitOne(d)))());
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
      storm.saveMemberEntry(this.s, ep);
    }
    for (const a of d.actions) {
      outbox.insertOutbox(
        this.s,
        a.episodeId,
        ep?.channel ?? '',
        a.type,
        a.type === 'reply' ? a.change : null,
        d.now,
      );
    }
    return true;
  }

  async deliverable(now: number, limit: number, opts: DeliverableOptions = {}): Promise<OutboxItem[]> {
    return outbox.deliverable(this.s, now, limit, opts);
  }

  async claimOutbox(id: number, now: number): Promise<boolean> {
    return outbox.claimOutbox(this.s, id, now);
  }

  async completeOutbox(id: number, m: MessageRecord): Promise<boolean> {
    return outbox.completeOutbox(this.s, id, m);
  }

  async failOutbox(id: number, f: OutboxFailure): Promise<boolean> {
    return outbox.failOutbox(this.s, id, f);
  }

  async recoverInflight(opts: RecoverInflightOptions = {}): Promise<number> {
    // No other replica can have claimed anything here.
    if (opts.silentForMs !== undefined) return 0;
    return outbox.recoverInflight(this.s, opts);
  }

  async countNewThreads(channel: string, since: number): Promise<number> {
    return storm.countNewThreads(this.s, channel, since);
  }

  async latestDigest(channel: string): Promise<ThreadRecord<DigestState> | null> {
    return storm.latestDigest(this.s, channel);
  }

  async openDigest(d: { channel: string; state: DigestState; now: number }) {
    return storm.openDigest(this.s, d);
  }

  async endDigest(id: string, endedAt: number): Promise<boolean> {
    return storm.endDigest(this.s, id, endedAt);
  }

  async saveDigestEntries(digestId: string, entries: DigestEntry[]): Promise<void> {
    storm.saveDigestEntries(this.s, digestId, entries);
  }

  async digestEntries(digestId: string): Promise<DigestEntry[]> {
    return storm.digestEntries(this.s, digestId);
  }

  async moveParent(move: ParentMove): Promise<boolean> {
    return storm.moveParent(this.s, move);
  }

  async parentMoves(threadId: string): Promise<ParentMove[]> {
    return storm.parentMoves(this.s, threadId);
  }

  async installationId(): Promise<string> {
    return this.guard(() => {
      this.sql("INSERT OR IGNORE INTO meta (key, value) VALUES ('installation_id', ?)").run(randomUUID());
      return (this.sql("SELECT value FROM meta WHERE key = 'installation_id'").get() as Row).value as string;
    });
  }

  async openThread(t: Parameters<ThreadStore['openThread']>[0]): Promise<void> {
    outbox.openThread(this.s, t);
  }

  async enqueue(threadId: string, kind: OutboxKind, payload: unknown, now: number): Promise<number> {
    return outbox.enqueue(this.s, threadId, kind, payload, now);
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

  async saveInteraction(threadId: string, interaction: ThreadInteraction, now: number): Promise<boolean> {
    return interactions.saveInteraction(this.s, threadId, interaction, now);
  }

  async updateInteraction(
    threadId: string,
    change: InteractionChange,
    now: number,
  ): Promise<{ interaction: ThreadInteraction; changed: boolean } | null> {
    return interactions.updateInteraction(this.s, threadId, change, now);
  }

  async rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    return interactions.rememberOnce(this.s, key, expiresAt, now);
  }

  async queueSlackAction(action: NewSlackAction): Promise<number> {
    return interactions.queueSlackAction(this.s, action);
  }

  async claimSlackActions(
    now: number,
    limit: number,
    stale: { claimedForMs: number },
  ): Promise<SlackActionRecord[]> {
    return interactions.claimSlackActions(this.s, now, limit, stale);
  }

  async finishSlackAction(
    id: number,
    outcome: { error?: string },
    now: number,
    claimedAt?: number,
  ): Promise<boolean> {
    return interactions.finishSlackAction(this.s, id, outcome, now, claimedAt);
  }

  async prune(c: { notificationsBefore: number; threadsBefore: number }) {
    return pruneSqlite(this.s, c);
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
