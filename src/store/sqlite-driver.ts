import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * The SQLite driver for this Node: better-sqlite3 13 (Node-API) on Node 24 and later, 12 before.
 * 12 wraps its objects in node::ObjectWrap, whose destructor on Node 24 asserts an Environment
 * that a garbage collection may run without: serve aborts at some GC of a prepared statement, a
 * command at exit (WiseLibs/better-sqlite3#1515; 13's node-addon-api does not). 13 crashes on
 * Node 20, the runtime here, and its prebuilt binary wants glibc 2.34, which hosts able to run
 * Node 22 with 12 may lack — so 13 only where 12 is known to break. The API is the same;
 * `better-sqlite3-napi` is 13 under an npm alias (an optional dependency). Chosen once,
 * synchronously, so the stores stay synchronous inside transactions.
 */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

export const SQLITE_DRIVER = NODE_MAJOR >= 24 ? 'better-sqlite3-napi' : 'better-sqlite3';

function load(): typeof BetterSqlite3 {
  try {
    return createRequire(import.meta.url)(SQLITE_DRIVER) as typeof BetterSqlite3;
  } catch (err) {
    if (SQLITE_DRIVER === 'better-sqlite3') throw err;
    // Not 12 instead: it would run, then abort the process at some garbage collection.
    throw new Error(
      `Node ${process.versions.node} needs better-sqlite3 13 (installed as better-sqlite3-napi), which did not load: ${(err as Error).message}. ` +
        'Reinstall with `npm ci` on this Node (glibc 2.34+ for its prebuilt binary), or run on Node 20 or 22.',
    );
  }
}

const Database = load();

// A value and a namespace of types under one name, as `import Database from 'better-sqlite3'` gives.
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace Database {
  type Database = BetterSqlite3.Database;
  type Statement<P extends unknown[] | object = unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;
  type Options = BetterSqlite3.Options;
  type RunResult = BetterSqlite3.RunResult;
}

export default Database;
