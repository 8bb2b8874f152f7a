import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, startProcess, waitFor, type StartedProcess } from './process.js';
import { requireTool, runs } from './require-tool.js';

/**
 * A throwaway PostgreSQL 15 (Debian's) for tests: initdb in a temporary directory, listening on a
 * free loopback port, fsync off, removed on stop(). One server per test file; each test takes a
 * fresh database from createDatabase().
 */

export const POSTGRES_BIN_DIR = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** URL of the `postgres` database (administration). */
  url: string;
  /** A new, empty database; its URL. */
  createDatabase(): Promise<string>;
  /** The server's process (for fault tests). */
  process: StartedProcess;
  stop(): Promise<void>;
}

/**
 * Why Postgres cannot run here, or undefined when it can. Under CI the binaries are installed
 * on purpose, so a missing one is a failure there, never a silent skip.
 */
export function postgresMissing(): string | undefined {
  return requireTool('PostgreSQL', {
    install: 'postgresql-15, or set POSTGRES_BIN_DIR',
    check: () =>
      runs(join(POSTGRES_BIN_DIR, 'initdb'), '--version')() ??
      runs(join(POSTGRES_BIN_DIR, 'postgres'), '--version')(),
  });
}

/** initdb and postgres refuse to run as root: as root, they run as the `postgres` system user. */
function asServerUser(bin: string, args: string[]): [string, string[]] {
  const path = join(POSTGRES_BIN_DIR, bin);
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

function serverUserIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

let databases = 0;

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'threader-pg-'));
  const data = join(dir, 'data');
  const ids = serverUserIds();
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const [initCmd, initArgs] = asServerUser('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--no-locale',
    '--no-sync',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  const port = await freePort();
  const [cmd, args] = asServerUser('postgres', [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
  ]);
  const server = startProcess(cmd, args, { name: 'postgres' });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
    try {
      process.kill(-server.pid, 'SIGINT');
    } catch {
      // Already gone.
    }
    await Promise.race([server.exited, new Promise((r) => setTimeout(r, 5_000))]);
    await server.stop(1_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        const c = new pg.Client({ connectionString: url });
        try {
          await c.connect();
          await c.query('SELECT 1');
          return true;
        } finally {
          await c.end().catch(() => undefined);
        }
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `postgres on port ${port}\n${server.stderr()}` },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    process: server,
    async createDatabase() {
      const name = `threader_${process.pid}_${++databases}`;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return url.replace(/\/postgres$/, `/${name}`);
    },
    stop,
  };
}
