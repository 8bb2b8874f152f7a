import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

/** A command to run, argv-style: no shell, so arguments pass through untouched. */
export interface CommandSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface AttemptResult {
  /** What a shell would report: the exit code, 128+n for signal n, 124 on timeout, 127/126 when spawn failed. */
  exitCode: number;
  /** The signal that ended the process, when one did. */
  signal?: NodeJS.Signals;
  /** Killed by us because the per-attempt timeout (or the overall deadline) passed. */
  timedOut: boolean;
  /** Set when the command could not be started at all (ENOENT, EACCES…). */
  spawnError?: string;
  durationMs: number;
}

export interface AttemptOptions {
  /** Kill the attempt's process tree after this long. */
  timeoutMs?: number;
  /** After SIGTERM, how long the tree may take to exit before SIGKILL. */
  killGraceMs?: number;
  now?: () => number;
}

/** A running attempt: `done` settles when the direct child has exited; `kill` signals its whole process group. */
export interface RunningAttempt {
  done: Promise<AttemptResult>;
  kill(signal: NodeJS.Signals): void;
}

/** GNU timeout's convention, so pipelines can tell a hang from a failure. */
export const TIMEOUT_EXIT_CODE = 124;

function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (pid === undefined) return false;
  try {
    // The child leads its own process group (detached), so -pid reaches grandchildren too.
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether any live (non-zombie) process remains in the group. kill(-pgid, 0) alone is not enough:
 * killed orphans stay zombies until init reaps them, which in containers can take seconds.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return true;
  }
  return entries.some((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, ppid, pgrp, …
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(pgrp) === pgid && state !== 'Z';
    } catch {
      return false;
    }
  });
}

/**
 * Starts one attempt. stdio is inherited so the command's output passes through untouched; the
 * child gets its own process group so a timeout can kill everything it started (a shell's
 * `sleep &` included), which is why signals for it must be forwarded through `kill()`.
 */
export function startAttempt(spec: CommandSpec, opts: AttemptOptions = {}): RunningAttempt {
  const now = opts.now ?? Date.now;
  const grace = opts.killGraceMs ?? 2_000;
  const started = now();
  const child = spawn(spec.command, spec.args, {
    stdio: 'inherit',
    detached: true,
    env: spec.env ?? process.env,
    cwd: spec.cwd,
  });
  let timedOut = false;
  let escalation: NodeJS.Timeout | undefined;
  const terminate = () => {
    killGroup(child.pid, 'SIGTERM');
    escalation = setTimeout(() => killGroup(child.pid, 'SIGKILL'), grace);
  };
  const timer =
    opts.timeoutMs !== undefined
      ? setTimeout(
          () => {
            timedOut = true;
            terminate();
          },
          Math.max(0, opts.timeoutMs),
        )
      : undefined;

  const done = new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<AttemptResult, 'durationMs' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const result: AttemptResult = { ...r, timedOut, durationMs: now() - started };
      if (timedOut) result.exitCode = TIMEOUT_EXIT_CODE;
      if (!timedOut || child.pid === undefined || !groupAlive(child.pid)) {
        clearTimeout(escalation);
        return resolve(result);
      }
      // The leader is gone but something it started ignores SIGTERM: wait out the grace, then SIGKILL.
      const poll = setInterval(() => {
        if (groupAlive(child.pid as number)) return;
        clearInterval(poll);
        clearTimeout(escalation);
        resolve(result);
      }, 50);
      escalation ??= setTimeout(() => killGroup(child.pid, 'SIGKILL'), grace);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      const exitCode = err.code === 'ENOENT' ? 127 : 126;
      finish({ exitCode, spawnError: `${err.code ?? 'error'}: ${err.message}` });
    });
    child.once('exit', (code, signal) => {
      if (signal) finish({ exitCode: signalExitCode(signal), signal });
      else finish({ exitCode: code ?? 1 });
    });
  });

  return {
    done,
    kill: (signal) => {
      killGroup(child.pid, signal);
    },
  };
}
