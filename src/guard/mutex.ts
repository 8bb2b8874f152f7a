import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ConflictError } from '../errors.js';
import { retry, RetryExhaustedError } from '../retry/retry.js';
import type { RetryPolicy } from '../retry/policy.js';

/** Waits up to ~10 s in total for another threader process to finish its read-modify-write. */
const ACQUIRE: RetryPolicy = { attempts: 80, baseMs: 5, maxDelayMs: 200, jitter: 'full' };
/** A holder older than this crashed mid-update (updates take milliseconds). */
const STALE_MS = 30_000;

class Busy extends Error {}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes a mutex left by a holder that died. Two waiters may judge the same file stale: each moves
 * it aside under its own name first and deletes it only if it is still the file it judged (same
 * inode); a fresh mutex another waiter created meanwhile is put back instead of deleted.
 */
async function removeIfStale(path: string, now: number): Promise<void> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, 'utf8')]);
    const [pid, host] = text.split(' ');
    const dead = host?.trim() === hostname() && Number(pid) > 0 && processGone(Number(pid));
    if (!dead && now - info.mtimeMs <= STALE_MS) return;
    const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
    await rename(path, aside);
    if ((await stat(aside)).ino !== info.ino) await link(aside, path).catch(() => undefined);
    await rm(aside, { force: true });
  } catch {
    // Gone already, or unreadable: the next attempt decides.
  }
}

/**
 * Runs `fn` holding an exclusive lock on `path` (created with O_EXCL, so exactly one process
 * wins), so concurrent `guard lock`/`unlock`/watchers never interleave their read-modify-write
 * of the lock file. A holder that died is detected by pid (same host) or age.
 */
export async function withFileMutex<T>(
  path: string,
  fn: () => Promise<T>,
  now: () => number = Date.now,
): Promise<T> {
  try {
    await retry(
      async () => {
        try {
          const fh = await open(path, 'wx', 0o644);
          await fh.writeFile(`${process.pid} ${hostname()}\n`);
          await fh.close();
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          await removeIfStale(path, now());
          throw new Busy();
        }
      },
      { policy: ACQUIRE, retryable: (e) => e instanceof Busy },
    );
  } catch (err) {
    if (err instanceof RetryExhaustedError && err.lastError instanceof Busy) {
      throw new ConflictError(`another threader process holds ${path}; remove it if no threader is running`);
    }
    throw err instanceof RetryExhaustedError ? err.lastError : err;
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
