import { randomUUID } from 'node:crypto';
import type { EpisodeState } from '../core/types.js';
import { commitBatch } from './postgres-commit.js';
import { PostgresDb, type Queryable, type Row } from './postgres-db.js';
import { appendNotificationsIn } from './postgres-intake.js';
import * as interactions from './postgres-interactions.js';
import * as leases from './postgres-leases.js';
import * as outbox from './postgres-outbox.js';
import { prune as prunePostgres } from './postgres-prune.js';
import * as storm from './postgres-storm.js';
import type { DigestEntry, DigestState } from '../core/storm.js';
import type { ParentMove } from './storm-types.js';
import { toThread } from './sqlite-rows.js';
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

export interface PostgresOptions {
  /** postgres://user:password@host:port/database (never logged: it may carry a password). */
  url: string;
  /** Connections in the pool (default 8). */
  poolSize?: number;
}

/**
 * The store for several `threader serve` replicas on one PostgreSQL database. Unlike the SQLite
 * store it caches nothing between calls: another replica may have changed any row since. Work is
 * divided with leases (postgres-leases.ts); exactly one parent per episode is a unique index.
 */
export class PostgresStore implements ThreadStore {
  readonly kind = 'postgres';
  private db!: PostgresDb;

  constructor(private readonly opts: PostgresOptions) {}

  async init(): Promise<void> {
    this.db = new PostgresDb(this.opts.url, { max: this.opts.poolSize });
    try {
      await this.db.migrate();
    } catch (err) {
      await this.db.close().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.db?.close();
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async appendNotifications(items: NewNotification[]): Promise<number[]> {
    if (items.length === 0) return [];
    // Per-key order across replicas is made here, at intake (postgres-intake.ts).
    return this.db.tx((c) => appendNotificationsIn(c, items));
  }

  async pendingNotifications(limit: number): Promise<PendingNotification[]> {
    const rows = await this.db.query(
      `SELECT n.id, n.thread_key, n.channel, n.received_at, p.part
         FROM notifications n JOIN notification_parts p ON p.id = n.id
        WHERE n.processed_at IS NULL ORDER BY n.id LIMIT $1`,
      [limit],
    );
    return rows.map(leases.toPending);
  }

  async claimNotifications(limit: number, holder: LeaseHolder): Promise<PendingNotification[]> {
    return leases.claimNotifications(this.db, limit, holder);
  }

  async holdLeases(names: string[], holder: LeaseHolder): Promise<string[]> {
    return leases.holdLeases(this.db, names, holder);
  }

  async releaseLeases(owner: string, names: string[]): Promise<void> {
    await leases.releaseLeases(this.db, owner, names);
  }

  async latestEpisode(threadKey: string): Promise<EpisodeState | null> {
    const [row] = await this.db.query(
      "SELECT state FROM threads WHERE kind = 'alert' AND thread_key = $1 ORDER BY seq DESC LIMIT 1",
      [threadKey],
    );
    return row ? (JSON.parse(row.state as string) as EpisodeState) : null;
  }

  async latestEpisodes(threadKeys: string[]): Promise<Map<string, EpisodeState | null>> {
    const found = new Map<string, EpisodeState | null>(threadKeys.map((k) => [k, null]));
    if (threadKeys.length === 0) return found;
    const rows = await this.db.query(
      `SELECT DISTINCT ON (thread_key) thread_key, state FROM threads
        WHERE kind = 'alert' AND thread_key = ANY($1::text[]) ORDER BY thread_key, seq DESC`,
      [[...found.keys()]],
    );
    for (const r of rows) found.set(r.thread_key as string, JSON.parse(r.state as string) as EpisodeState);
    return found;
  }

  async commitDecision(d: CommitDecision): Promise<boolean> {
    return (await this.commitDecisions([d]))[0] as boolean;
  }

  async commitDecisions(ds: CommitDecision[], holder?: LeaseHolder): Promise<boolean[]> {
    if (ds.length === 0) return [];
    return this.db.tx(async (c) => {
      const keys = holder ? await this.keysOf(c, ds) : [];
      if (holder && !(await leases.stillHeld(c, keys, holder))) return ds.map(() => false);
      const done = await commitBatch(c, ds);
      if (holder) await leases.releaseFinishedKeys(c, keys, holder.owner);
      return done;
    });
  }

  private async keysOf(c: Queryable, ds: CommitDecision[]): Promise<string[]> {
    const { rows } = await c.query(
      'SELECT DISTINCT thread_key FROM notifications WHERE id = ANY($1::bigint[])',
      [ds.map((d) => d.notificationId)],
    );
    return rows.map((r) => r.thread_key as string);
  }

  async deliverable(now: number, limit: number, opts: DeliverableOptions = {}): Promise<OutboxItem[]> {
    return outbox.deliverable(this.db, now, limit, opts);
  }

  /** `now` is not used: claims are timed on the database's clock (postgres-outbox.ts). */
  async claimOutbox(id: number, now: number, owner?: string): Promise<boolean> {
    return outbox.claimOutbox(this.db, id, owner);
  }

  async completeOutbox(id: number, m: MessageRecord, owner?: string): Promise<boolean> {
    return outbox.completeOutbox(this.db, id, m, owner);
  }

  async failOutbox(id: number, f: OutboxFailure, owner?: string): Promise<boolean> {
    return outbox.failOutbox(this.db, id, f, owner);
  }

  async recoverInflight(opts: RecoverInflightOptions = {}): Promise<number> {
    return outbox.recoverInflight(this.db, opts);
  }

  async installationId(): Promise<string> {
    await this.db.run(
      "INSERT INTO meta (key, value) VALUES ('installation_id', $1) ON CONFLICT (key) DO NOTHING",
      [randomUUID()],
    );
    const [row] = await this.db.query("SELECT value FROM meta WHERE key = 'installation_id'");
    return (row as Row).value as string;
  }

  async openThread(t: Parameters<ThreadStore['openThread']>[0]): Promise<void> {
    await outbox.openThread(this.db, t);
  }

  async enqueue(threadId: string, kind: OutboxKind, payload: unknown, now: number): Promise<number> {
    return outbox.enqueue(this.db, threadId, kind, payload, now);
  }

  async getThread<S = EpisodeState>(id: string): Promise<ThreadRecord<S> | null> {
    const [row] = await this.db.query('SELECT * FROM threads WHERE id = $1', [id]);
    return row ? (toThread(row) as ThreadRecord<S>) : null;
  }

  async listThreads(filter: {
    status?: string;
    channel?: string;
    limit?: number;
    kind?: ThreadKind;
  }): Promise<ThreadRecord[]> {
    const rows = await this.db.query(
      `SELECT * FROM threads WHERE kind = $1 AND ($2::text IS NULL OR status = $2)
          AND ($3::text IS NULL OR channel = $3)
        ORDER BY opened_at DESC, id LIMIT $4`,
      [filter.kind ?? 'alert', filter.status ?? null, filter.channel ?? null, filter.limit ?? 100],
    );
    return rows.map(toThread);
  }

  async messages(threadId: string): Promise<MessageRecord[]> {
    const rows = await this.db.query('SELECT * FROM messages WHERE thread_id = $1 ORDER BY outbox_id', [
      threadId,
    ]);
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
    return outbox.outboxOf(this.db, threadId);
  }

  async saveInteraction(threadId: string, interaction: ThreadInteraction, now: number): Promise<boolean> {
    return interactions.saveInteraction(this.db, threadId, interaction, now);
  }

  async updateInteraction(
    threadId: string,
    change: InteractionChange,
    now: number,
  ): Promise<{ interaction: ThreadInteraction; changed: boolean } | null> {
    return interactions.updateInteraction(this.db, threadId, change, now);
  }

  async rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean> {
    return interactions.rememberOnce(this.db, key, expiresAt, now);
  }

  async queueSlackAction(action: NewSlackAction): Promise<number> {
    return interactions.queueSlackAction(this.db, action);
  }

  /** `now` is not used: claims are timed on the database's clock (postgres-interactions.ts). */
  async claimSlackActions(
    now: number,
    limit: number,
    stale: { claimedForMs: number },
  ): Promise<SlackActionRecord[]> {
    return interactions.claimSlackActions(this.db, limit, stale);
  }

  async finishSlackAction(
    id: number,
    outcome: { error?: string },
    now: number,
    claimedAt?: number,
  ): Promise<boolean> {
    return interactions.finishSlackAction(this.db, id, outcome, now, claimedAt);
  }

  async countNewThreads(channel: string, since: number): Promise<number> {
    return storm.countNewThreads(this.db, channel, since);
  }

  async latestDigest(channel: string): Promise<ThreadRecord<DigestState> | null> {
    return storm.latestDigest(this.db, channel);
  }

  async openDigest(d: {
    channel: string;
    state: DigestState;
    now: number;
  }): Promise<ThreadRecord<DigestState>> {
    return storm.openDigest(this.db, d);
  }

  async endDigest(id: string, endedAt: number): Promise<boolean> {
    return storm.endDigest(this.db, id, endedAt);
  }

  async saveDigestEntries(digestId: string, entries: DigestEntry[]): Promise<void> {
    await storm.saveDigestEntries(this.db, digestId, entries);
  }

  async digestEntries(digestId: string): Promise<DigestEntry[]> {
    return storm.digestEntries(this.db, digestId);
  }

  async moveParent(move: ParentMove): Promise<boolean> {
    return storm.moveParent(this.db, move);
  }

  async parentMoves(threadId: string): Promise<ParentMove[]> {
    return storm.parentMoves(this.db, threadId);
  }

  async prune(cut: { notificationsBefore: number; threadsBefore: number }) {
    return prunePostgres(this.db, cut);
  }

  async stats(_now: number): Promise<StoreStats> {
    const [row] = await this.db.query(
      `SELECT
         (SELECT count(*) FROM threads WHERE status = 'firing') AS open_threads,
         (SELECT count(*) FROM threads) AS threads,
         (SELECT count(*) FROM notifications WHERE processed_at IS NULL) AS pending,
         (SELECT count(*) FROM outbox WHERE status IN ('pending', 'inflight')) AS depth,
         (SELECT min(created_at) FROM outbox WHERE status IN ('pending', 'inflight')) AS oldest,
         (SELECT count(*) FROM outbox WHERE status = 'dead') AS dead`,
    );
    const r = row as Row;
    return {
      openThreads: r.open_threads as number,
      threads: r.threads as number,
      pendingNotifications: r.pending as number,
      outboxDepth: r.depth as number,
      oldestOutboxAt: (r.oldest as number | null) ?? null,
      deadItems: r.dead as number,
    };
  }
}
