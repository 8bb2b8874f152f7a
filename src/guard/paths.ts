import { accessSync, constants, existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

export type Env = Record<string, string | undefined>;

/** The original script's place; /run is tmpfs, so a reboot clears it (set guard.lockFile to persist). */
export const RUN_LOCK_FILE = '/run/threader.qos.guard';

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * /run/threader.qos.guard when writable — or when it exists: a lock root took there must be seen by
 * every user's `status` (fail closed); a user who cannot write it gets a clear error on `lock`.
 * Else $XDG_STATE_HOME/threader/qos.guard (~/.local/state).
 */
export function defaultLockFile(
  env: Env,
  canWrite: (dir: string) => boolean = writable,
  exists: (path: string) => boolean = existsSync,
): string {
  if (canWrite('/run') || exists(RUN_LOCK_FILE)) return RUN_LOCK_FILE;
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'threader', 'qos.guard');
}

/** --lock-file, then THREADER_GUARD_FILE, then config, then the default. */
export function resolveLockFile(opts: { flag?: string; env: Env; config?: string }): string {
  return opts.flag || opts.env.THREADER_GUARD_FILE || opts.config || defaultLockFile(opts.env);
}

/** Who is acting, for the lock and its history: explicit, then CI identities, then the OS user. */
export function currentActor(env: Env): string {
  const named = env.THREADER_ACTOR || env.GITHUB_ACTOR || env.GITLAB_USER_LOGIN || env.USER || env.LOGNAME;
  if (named) return named;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
