import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { ThreadStore } from './types.js';

/** A PostgreSQL URL: the store several replicas can share. */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//.test(db);

/** Picks the store adapter from THREADER_DB / store.db: a postgres:// URL, else a SQLite file path. */
export function openStore(opts: { db: string; synchronous: 'normal' | 'full' }): ThreadStore {
  if (isPostgresUrl(opts.db)) return new PostgresStore({ url: opts.db });
  return new SqliteStore({ path: opts.db, synchronous: opts.synchronous });
}

/** The store's address for people to read: a PostgreSQL password never leaves the process. */
export function displayStore(db: string): string {
  if (!isPostgresUrl(db)) return db;
  try {
    const url = new URL(db);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
