import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { withFileMutex } from './mutex.js';
import { parseLockFile, serializeLock, type GuardLock, type ParsedLockFile } from './lock.js';

export type StoredLock = { kind: 'none' } | ParsedLockFile;

export type HistoryEventKind = 'lock' | 'extend' | 'unlock' | 'force_unlock' | 'release' | 'expire';

/** One line of `<lockfile>.history.jsonl`: who did what, when and why. Append-only. */
export interface HistoryEvent {
  at: string;
  event: HistoryEventKind;
  by: string;
  host: string;
  reason?: string;
  lock?: GuardLock;
  /** For releases: the evaluation that completed the criteria, one line per SLO. */
  evaluation?: string[];
}

export const historyPath = (lockFile: string) => `${lockFile}.history.jsonl`;
export const mutexPath = (lockFile: string) => `${lockFile}.mutex`;

/**
 * The lock file on disk: atomic replacement (temp file, fsync, rename), an O_EXCL mutex around
 * every read-modify-write, and the history beside it.
 */
export class LockFile {
  constructor(readonly path: string) {}

  async read(): Promise<StoredLock> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
      throw err;
    }
    return parseLockFile(text);
  }

  async write(lock: GuardLock): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(serializeLock(lock));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
    await syncDir(dirname(this.path));
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true });
    await syncDir(dirname(this.path));
  }

  /** Runs a read-modify-write of this lock file alone among all threader processes. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(dirname(this.path), { recursive: true });
    return withFileMutex(mutexPath(this.path), fn);
  }

  async appendHistory(event: HistoryEvent): Promise<void> {
    // One write per line with O_APPEND: concurrent writers never interleave within a line.
    await appendFile(historyPath(this.path), `${JSON.stringify(event)}\n`, { mode: 0o644 });
  }

  async history(): Promise<HistoryEvent[]> {
    try {
      const text = await readFile(historyPath(this.path), 'utf8');
      return text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as HistoryEvent);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}

/** So a rename survives a crash; not every filesystem allows fsync on a directory. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Best effort.
  }
}
