import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { policies, type RetryPolicy } from '../retry/policy.js';
import { retry, RetryExhaustedError } from '../retry/retry.js';
import type { NginxTrafficSpec } from '../deploy/types.js';
import { TrafficCommandError, TrafficConfigRejectedError } from './errors.js';
import { defaultRenderOptions, parseUpstream, renderUpstream, type RenderOptions } from './nginx-render.js';
import { localRunner, type CommandResult, type CommandRunner } from '../deploy/drivers/command-runner.js';
import type { ApplyResult, TrafficRouter, UpstreamServer } from './types.js';

export interface NginxRouterOptions {
  spec: NginxTrafficSpec;
  /** For the reload (and a test command that could not run); default policies.deployStep. */
  policy?: RetryPolicy;
  run?: CommandRunner;
  render?: RenderOptions;
  /** Per command attempt. */
  commandTimeoutMs?: number;
  /** Told about each retried command attempt (for the deploy's log). */
  onRetry?: (what: 'test' | 'reload', attempt: number, detail: string) => void;
  /** For the retry loop's waits; tests pass an instant one. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Apply order, and why. `nginx -t -c nginx.conf` reads the managed file from its real include
 * path, so a candidate written elsewhere would not be tested. nginx itself only reads the file on
 * start and reload, so the candidate may sit in place while it is tested:
 *
 *   1. write CANDIDATE (`FILE.threader-new`, fsynced) beside FILE — same filesystem, so rename is atomic;
 *   2. hard-link FILE to BACKUP (`FILE.threader-old`): the old bytes stay reachable without a copy;
 *   3. rename CANDIDATE over FILE;  4. run the test command;
 *   5. failed → rename BACKUP over FILE (the old file is back, byte for byte) and throw nginx's message;
 *   6. passed → reload; a reload that keeps failing also restores BACKUP, so the file on disk always
 *      says what nginx is serving and the next apply of the same weights is not skipped;
 *   7. unlink BACKUP.
 *
 * BACKUP therefore exists only while an apply is unfinished. Finding one at the start of an apply
 * means a previous apply died mid-way: it is renamed back and this apply tests and reloads even if
 * the weights look unchanged, because nginx may be serving either version.
 * The suffixes do not end in `.conf`, so an `include conf.d/*.conf` never picks them up.
 */
export function createNginxRouter(opts: NginxRouterOptions): TrafficRouter {
  const { spec } = opts;
  const file = spec.configFile;
  const candidate = `${file}.threader-new`;
  const backup = `${file}.threader-old`;
  const runner = opts.run ?? localRunner();
  const policy = opts.policy ?? policies.deployStep;
  const timeoutMs = opts.commandTimeoutMs ?? 30_000;
  const vars = { file, upstream: spec.upstream, dir: dirname(file) };
  let queue: Promise<unknown> = Promise.resolve();
  // A reload that failed may still have reached nginx (signal sent, command then timed out): until
  // one apply succeeds, never trust "unchanged on disk" to mean "what nginx serves".
  let uncertain = false;

  const readOrNull = async (path: string): Promise<string | null> => {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  };

  const exists = async (path: string) => (await readOrNull(path)) !== null;

  const writeDurably = async (path: string, text: string) => {
    const fh = await open(path, 'w', 0o644);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
  };

  /** Puts the pre-apply state back: the old file, or no file when there was none. */
  const restore = async (hadOld: boolean) => {
    if (hadOld) await rename(backup, file);
    else await unlink(file).catch(() => undefined);
  };

  const describe = (r: CommandResult) =>
    r.spawnError ??
    (r.timedOut ? `timed out after ${timeoutMs}ms` : `exit ${r.exitCode}: ${r.stderr.trim()}`);

  const runWithRetry = async (
    what: 'test' | 'reload',
    retryable: (r: CommandResult) => boolean,
  ): Promise<CommandResult> => {
    const argv = expandArgv(what === 'test' ? spec.testCommand : spec.reloadCommand, vars);
    try {
      return await retry(
        async () => {
          const r = await runner.run(argv, { timeoutMs });
          if (r.exitCode !== 0) throw new AttemptFailed(r, retryable(r));
          return r;
        },
        {
          policy,
          retryable: (e) => e instanceof AttemptFailed && e.retryable,
          onAttempt: (a) => {
            if (!a.ok && a.nextDelayMs !== undefined) {
              opts.onRetry?.(what, a.attempt, describe((a.error as AttemptFailed).result));
            }
          },
          ...(opts.sleep ? { sleep: opts.sleep } : {}),
        },
      );
    } catch (err) {
      const last = err instanceof RetryExhaustedError ? err.lastError : err;
      if (last instanceof AttemptFailed) {
        if (what === 'test' && !last.retryable) {
          throw new TrafficConfigRejectedError(
            last.result.stderr || last.result.stdout,
            last.result.exitCode,
          );
        }
        throw new TrafficCommandError(what, argv, describe(last.result));
      }
      throw err;
    }
  };

  const applyNow = async (servers: UpstreamServer[]): Promise<ApplyResult> => {
    // Refuses an empty or unwritable upstream before anything on disk changes.
    const config = renderUpstream(spec.upstream, servers, opts.render ?? defaultRenderOptions);
    const interrupted = await exists(backup);
    if (interrupted) await rename(backup, file);
    const old = await readOrNull(file);
    if (old === config && !interrupted && !uncertain) return { changed: false, config };

    await writeDurably(candidate, config);
    const hadOld = old !== null;
    if (hadOld) await link(file, backup);
    await rename(candidate, file);
    try {
      // A test that exits non-zero is nginx judging the config: deterministic, never retried.
      // Only a test that could not run or hung is worth another attempt.
      await runWithRetry('test', (r) => r.timedOut || r.spawnError !== undefined);
      await runWithRetry('reload', () => true);
    } catch (err) {
      if (err instanceof TrafficCommandError && err.what === 'reload') uncertain = true;
      await restore(hadOld);
      throw err;
    }
    uncertain = false;
    if (hadOld) await unlink(backup);
    return { changed: true, config };
  };

  return {
    kind: 'nginx',
    apply: (servers) => {
      // One apply at a time per router: two interleaved swaps would restore each other's backups.
      const next = queue.then(() => applyNow(servers));
      queue = next.catch(() => undefined);
      return next;
    },
    current: async () => {
      const text = (await readOrNull(backup)) ?? (await readOrNull(file));
      return text === null ? [] : parseUpstream(text);
    },
  };
}

/** Replaces {name} placeholders in each argument; unknown placeholders stay as written. */
export function expandArgv(argv: string[], vars: Record<string, string>): string[] {
  return argv.map((a) => a.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m));
}

class AttemptFailed extends Error {
  constructor(
    readonly result: CommandResult,
    readonly retryable: boolean,
  ) {
    super(`exit ${result.exitCode}`);
  }
}
