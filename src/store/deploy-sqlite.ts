import Database from './sqlite-driver.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DeployEvent, DeployRecord, DeployStatus, StoredDeployEvent } from '../deploy/types.js';
import { ConflictError, NotFoundError, StoreUnavailableError } from '../errors.js';
import { DEPLOY_MIGRATIONS_TABLE, deploySqliteMigrations } from './deploy-sqlite-schema.js';
import {
  FINAL_STATUSES,
  type DeployControlEntry,
  type DeployControlRequest,
  type DeployStoreWithControls,
  type StoredDeployControl,
} from './deploy-types.js';

type Row = Record<string, unknown>;
type Patch = Partial<Omit<DeployRecord, 'id' | 'env' | 'createdAt'>>;

const isFinal = (s: DeployStatus) => FINAL_STATUSES.includes(s);
const iso = (ms: number) => new Date(ms).toISOString();

/** The refusal that names who holds the environment, so the user knows whom to ask or what to abort. */
function holderConflict(holder: DeployRecord, env: string): ConflictError {
  return new ConflictError(
    `deploy ${holder.id} by ${holder.by} since ${iso(holder.createdAt)} holds ${env} (${holder.status})`,
    { holder: holder.id, by: holder.by, since: holder.createdAt, status: holder.status, env },
  );
}

/**
 * Deploy records in SQLite (better-sqlite3: synchronous, so each method's transaction runs to the
 * end before yielding). Writers that read first use BEGIN IMMEDIATE, so a second process (another
 * `threader deploy`, or `threader approve` from a CI job) waits for the write lock instead of
 * acting on a stale read; busy_timeout bounds that wait.
 */
export class SqliteDeployStore implements DeployStoreWithControls {
  readonly kind = 'sqlite';
  private db!: Database.Database;

  constructor(private readonly path: string) {}

  async init(): Promise<void> {
    this.guard(() => {
      if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
      this.db = new Database(this.path);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    });
  }

  async close(): Promise<void> {
    if (this.db?.open) this.db.close();
  }

  private migrate(): void {
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${DEPLOY_MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, applied_at INTEGER)`,
    );
    const done = new Set(
      (this.db.prepare(`SELECT version FROM ${DEPLOY_MIGRATIONS_TABLE}`).all() as Row[]).map(
        (r) => r.version,
      ),
    );
    deploySqliteMigrations.forEach((sql, i) => {
      if (done.has(i + 1)) return;
      this.db
        .transaction(() => {
          this.db.exec(sql);
          this.db.prepare(`INSERT INTO ${DEPLOY_MIGRATIONS_TABLE} VALUES (?, ?)`).run(i + 1, Date.now());
        })
        .immediate();
    });
  }

  /** Our own errors pass through; a constraint is a conflict in the data; anything else is an outage. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ConflictError || err instanceof NotFoundError) throw err;
      const code = String((err as { code?: unknown }).code ?? '');
      if (code.startsWith('SQLITE_CONSTRAINT'))
        throw new ConflictError(`deploy store: ${(err as Error).message}`);
      throw new StoreUnavailableError(`deploy store: ${(err as Error).message}`);
    }
  }

  private tx<T>(fn: () => T): T {
    return this.guard(() => this.db.transaction(fn).immediate());
  }

  private read(id: string): DeployRecord | null {
    const row = this.db.prepare('SELECT record FROM deploys WHERE id = ?').get(id) as Row | undefined;
    return row ? (JSON.parse(row.record as string) as DeployRecord) : null;
  }

  private mustRead(id: string): DeployRecord {
    const r = this.read(id);
    if (!r) throw new NotFoundError(`no deploy ${id}`);
    return r;
  }

  private activeOf(env: string): DeployRecord | null {
    const row = this.db
      .prepare(
        `SELECT record FROM deploys WHERE env = ? AND status NOT IN (${FINAL_STATUSES.map(() => '?').join(', ')})`,
      )
      .get(env, ...FINAL_STATUSES) as Row | undefined;
    return row ? (JSON.parse(row.record as string) as DeployRecord) : null;
  }

  private write(r: DeployRecord): void {
    this.db
      .prepare(`UPDATE deploys SET status = ?, updated_at = ?, finished_at = ?, record = ? WHERE id = ?`)
      .run(r.status, r.updatedAt, r.finishedAt, JSON.stringify(r), r.id);
  }

  async create(record: DeployRecord): Promise<void> {
    this.tx(() => {
      if (this.read(record.id)) throw new ConflictError(`deploy ${record.id} already exists`);
      if (!isFinal(record.status)) {
        const holder = this.activeOf(record.env);
        if (holder) throw holderConflict(holder, record.env);
      }
      this.db
        .prepare(
          `INSERT INTO deploys (id, env, status, created_at, updated_at, finished_at, record)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          record.id,
          record.env,
          record.status,
          record.createdAt,
          record.updatedAt,
          record.finishedAt,
          JSON.stringify(record),
        );
    });
  }

  async get(id: string): Promise<DeployRecord | null> {
    return this.guard(() => this.read(id));
  }

  async update(id: string, patch: Patch): Promise<DeployRecord> {
    return this.tx(() => {
      const prev = this.mustRead(id);
      const next: DeployRecord = {
        ...prev,
        ...patch,
        id: prev.id,
        env: prev.env,
        createdAt: prev.createdAt,
        updatedAt: patch.updatedAt ?? Date.now(),
      };
      if (isFinal(next.status) && next.finishedAt === null) next.finishedAt = next.updatedAt;
      // Back to an active status means taking the environment again: the same rule as create().
      if (isFinal(prev.status) && !isFinal(next.status)) {
        const holder = this.activeOf(prev.env);
        if (holder) throw holderConflict(holder, prev.env);
      }
      this.write(next);
      return next;
    });
  }

  async active(env: string): Promise<DeployRecord | null> {
    return this.guard(() => this.activeOf(env));
  }

  async list(filter: { env?: string; status?: DeployStatus; limit?: number }): Promise<DeployRecord[]> {
    return this.guard(() => {
      const rows = this.db
        .prepare(
          `SELECT record FROM deploys
           WHERE (@env IS NULL OR env = @env) AND (@status IS NULL OR status = @status)
           ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
        )
        .all({ env: filter.env ?? null, status: filter.status ?? null, limit: filter.limit ?? 50 }) as Row[];
      return rows.map((r) => JSON.parse(r.record as string) as DeployRecord);
    });
  }

  async lastSucceeded(env: string): Promise<DeployRecord | null> {
    return this.guard(() => {
      const row = this.db
        .prepare(
          `SELECT record FROM deploys WHERE env = ? AND status = 'succeeded'
           ORDER BY finished_at DESC, created_at DESC, rowid DESC LIMIT 1`,
        )
        .get(env) as Row | undefined;
      return row ? (JSON.parse(row.record as string) as DeployRecord) : null;
    });
  }

  async appendEvent(deployId: string, event: DeployEvent, at: number): Promise<StoredDeployEvent> {
    return this.tx(() => {
      this.mustRead(deployId);
      const { seq } = this.db
        .prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM deploy_events WHERE deploy_id = ?')
        .get(deployId) as { seq: number };
      this.db
        .prepare('INSERT INTO deploy_events (deploy_id, seq, at, event) VALUES (?, ?, ?, ?)')
        .run(deployId, seq, at, JSON.stringify(event));
      return { deployId, seq, at, event };
    });
  }

  async events(deployId: string, afterSeq = 0): Promise<StoredDeployEvent[]> {
    return this.guard(() =>
      (
        this.db
          .prepare('SELECT seq, at, event FROM deploy_events WHERE deploy_id = ? AND seq > ? ORDER BY seq')
          .all(deployId, afterSeq) as Row[]
      ).map((r) => ({
        deployId,
        seq: r.seq as number,
        at: r.at as number,
        event: JSON.parse(r.event as string) as DeployEvent,
      })),
    );
  }

  async requestControl(id: string, request: DeployControlRequest, at: number): Promise<StoredDeployControl> {
    return this.tx(() => {
      const r = this.mustRead(id);
      if (isFinal(r.status)) throw new ConflictError(`deploy ${id} has already finished (${r.status})`);
      const { lastInsertRowid } = this.db
        .prepare(
          'INSERT INTO deploy_controls (deploy_id, action, by, reason, step, at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(id, request.action, request.by, request.reason ?? null, request.step ?? null, at);
      return { ...request, deployId: id, seq: Number(lastInsertRowid), at };
    });
  }

  async takeControls(id: string, at = Date.now()): Promise<StoredDeployControl[]> {
    return this.tx(() => {
      const rows = this.db
        .prepare(
          'SELECT seq, action, by, reason, step, at FROM deploy_controls WHERE deploy_id = ? AND taken_at IS NULL ORDER BY seq',
        )
        .all(id) as Row[];
      if (rows.length === 0) return [];
      this.db
        .prepare('UPDATE deploy_controls SET taken_at = ? WHERE deploy_id = ? AND taken_at IS NULL')
        .run(at, id);
      return rows.map((r) => controlOf(id, r));
    });
  }

  async refuseControl(id: string, seq: number, why: string): Promise<void> {
    this.guard(() => {
      const { changes } = this.db
        .prepare('UPDATE deploy_controls SET refused = ? WHERE deploy_id = ? AND seq = ?')
        .run(why, id, seq);
      if (changes === 0) throw new NotFoundError(`no control request ${seq} of deploy ${id}`);
    });
  }

  async controlLog(id: string): Promise<DeployControlEntry[]> {
    return this.guard(() =>
      (
        this.db
          .prepare(
            'SELECT seq, action, by, reason, step, at, taken_at, refused FROM deploy_controls WHERE deploy_id = ? ORDER BY seq',
          )
          .all(id) as Row[]
      ).map((r) => ({
        ...controlOf(id, r),
        ...(r.taken_at !== null ? { takenAt: r.taken_at as number } : {}),
        ...(r.refused !== null ? { refused: r.refused as string } : {}),
      })),
    );
  }

  async claimOwner(
    id: string,
    owner: NonNullable<DeployRecord['owner']>,
    expected: DeployRecord['owner'] | null,
  ): Promise<DeployRecord | null> {
    return this.tx(() => {
      const r = this.mustRead(id);
      const same =
        (r.owner ?? null) === null
          ? expected == null
          : expected != null &&
            r.owner?.pid === expected.pid &&
            r.owner?.host === expected.host &&
            r.owner?.heartbeatAt === expected.heartbeatAt;
      if (!same) return null;
      const next = { ...r, owner, updatedAt: Math.max(r.updatedAt, owner.heartbeatAt) };
      this.write(next);
      return next;
    });
  }
}

function controlOf(deployId: string, r: Row): StoredDeployControl {
  return {
    deployId,
    seq: r.seq as number,
    action: r.action as StoredDeployControl['action'],
    by: r.by as string,
    ...(r.reason !== null ? { reason: r.reason as string } : {}),
    ...(r.step !== null ? { step: r.step as number } : {}),
    at: r.at as number,
  };
}

/** Opens (creating parent directories and the schema as needed) the deploy store at `path`. */
export async function openDeployStore(path: string): Promise<DeployStoreWithControls> {
  const store = new SqliteDeployStore(path);
  await store.init();
  return store;
}
