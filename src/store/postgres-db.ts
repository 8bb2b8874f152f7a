import pg from 'pg';
import { ConflictError, StoreUnavailableError } from '../errors.js';
import { postgresMigrations } from './postgres-schema.js';

export type Row = Record<string, unknown>;

/** Anything that runs a query: the pool, or one client inside a transaction. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/** Any key shared by every replica of this schema: migrations run under it, one replica at a time. */
const MIGRATION_LOCK = 7_310_417_321;

// BIGINT columns hold epoch milliseconds and ids, far below 2^53: read them as numbers.
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * A pool of connections to one PostgreSQL database: versioned migrations under an advisory lock,
 * transactions, and every failure turned into the store's errors (503 at the webhook, which
 * Alertmanager retries), except constraint violations, which are conflicts in the data.
 */
export class PostgresDb {
  readonly pool: pg.Pool;

  constructor(url: string, opts: { max?: number } = {}) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: opts.max ?? 8,
      types,
      connectionTimeoutMillis: 5_000,
      // A replica killed mid-transaction must not keep its locks: the server drops the session.
      keepAlive: true,
      application_name: 'threader',
    });
    // An idle client that loses its server must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await this.tx(async (c) => {
      // Two replicas starting together: the second waits here, then finds nothing left to do.
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
      );
      const done = new Set(
        (await c.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
      );
      for (const [i, sql] of postgresMigrations.entries()) {
        const version = i + 1;
        if (done.has(version)) continue;
        await c.query(sql);
        await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          version,
          Date.now(),
        ]);
      }
    });
  }

  async query(text: string, values?: unknown[]): Promise<Row[]> {
    return guard(async () => (await this.pool.query(text, values)).rows as Row[]);
  }

  async run(text: string, values?: unknown[]): Promise<number> {
    return guard(async () => (await this.pool.query(text, values)).rowCount ?? 0);
  }

  /** `fn` in one transaction (READ COMMITTED), guarded; rolled back when it throws. */
  async tx<T>(fn: (c: Queryable) => Promise<T>): Promise<T> {
    return guard(async () => {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(client as unknown as Queryable);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * SQLSTATE class 23 is an integrity constraint (a second parent for a thread): retrying cannot
 * help. Anything else means the store cannot do its job right now. Messages name the constraint,
 * never the connection URL (it may carry a password).
 */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ConflictError || err instanceof StoreUnavailableError) throw err;
    const code = String((err as { code?: unknown }).code ?? '');
    const message = (err as Error).message;
    if (code.startsWith('23')) throw new ConflictError(`store: ${message}`);
    throw new StoreUnavailableError(`store: ${code ? `${code} ` : ''}${message}`);
  }
}

/** Bind parameters cannot be Infinity: "everything due" becomes the largest safe integer. */
export function finite(n: number): number {
  return Number.isFinite(n) ? n : n > 0 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}
