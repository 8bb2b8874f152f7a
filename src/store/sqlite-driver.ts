import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * The SQLite driver for this Node: better-sqlite3 13 (Node-API) from Node 22 on, 12 before.
 * 12 wraps its objects in node::ObjectWrap, whose destructor on Node 24 asserts an Environment
 * that a garbage collection may run without: serve aborts at some GC of a prepared statement, a
 * command at exit (WiseLibs/better-sqlite3#1515; fixed by 13's node-addon-api). 13 needs Node 22
 * and crashes on Node 20, the runtime here. The API is the same; `better-sqlite3-napi` is 13 under
 * an npm alias. Chosen once, synchronously, so the stores stay synchronous inside transactions.
 */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

export const SQLITE_DRIVER = NODE_MAJOR >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3';

const Database = createRequire(import.meta.url)(SQLITE_DRIVER) as typeof BetterSqlite3;

// A value and a namespace of types under one name, as `import Database from 'better-sqlite3'` gives.
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace Database {
  type Database = BetterSqlite3.Database;
  type Statement<P extends unknown[] | object = unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;
  type Options = BetterSqlite3.Options;
  type RunResult = BetterSqlite3.RunResult;
}

export default Database;
