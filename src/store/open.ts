import { ConfigError } from '../errors.js';
import { SqliteStore } from './sqlite.js';
import type { ThreadStore } from './types.js';

/** Picks the store adapter from THREADER_DB / store.db: a path means SQLite. */
export function openStore(opts: { db: string; synchronous: 'normal' | 'full' }): ThreadStore {
  if (/^postgres(ql)?:\/\//.test(opts.db)) {
    throw new ConfigError('THREADER_DB: PostgreSQL is not supported yet; use a SQLite file path');
  }
  return new SqliteStore({ path: opts.db, synchronous: opts.synchronous });
}
