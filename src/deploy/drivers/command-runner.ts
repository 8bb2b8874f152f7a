import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * The one way threader runs commands (instance drivers, nginx test and reload): argv (no shell in
 * between, so a `;` in a config stays an argument), optional stdin, a timeout and an abort signal,
 * output captured. The systemd driver runs its commands through one of these; the
 * ssh runner wraps the same argv in `ssh … 'quoted argv'`, so both drivers work on a remote host too.
 */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Killed because the timeout passed or the signal aborted. */
  timedOut: boolean;
  /** The command could not be started here (ENOENT, EACCES…); exitCode is then 127 or 126. */
  spawnError?: string;
  /** The command never ran (or its connection broke): set by the ssh runner (which does not retry). */
  transport?: { kind: 'unreachable' | 'auth'; message: string };
}

export interface RunOptions {
  /** Written to stdin, then closed. Secrets travel here, never in argv (visible in `ps`). */
  input?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface CommandRunner {
  /** Where commands run, for messages ("localhost", "deploy@10.0.0.5"). */
  readonly where: string;
  run(argv: readonly string[], opts: RunOptions): Promise<CommandResult>;
}

/** Keeps the tail: a chatty command must not grow the deployer's memory without bound. */
const MAX_CAPTURE = 64 * 1024;

/**
 * The variables a started command may inherit from the deployer. Everything else (SLACK_BOT_TOKEN,
 * CI secrets) stays behind; instances get what RunSpec.env gives them.
 */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SSH_AUTH_SOCK'];

export function baseEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const key of INHERITED) if (env[key] !== undefined) out[key] = env[key];
  return out;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Runs commands on this machine, each in its own process group so a timeout kills all it started. */
export function localRunner(opts: { env?: NodeJS.ProcessEnv; killGraceMs?: number } = {}): CommandRunner {
  const env = opts.env ?? baseEnv();
  const grace = opts.killGraceMs ?? 2_000;
  return {
    where: 'localhost',
    run: (argv, runOpts) =>
      new Promise<CommandResult>((resolve) => {
        const [command, ...args] = argv;
        if (command === undefined) throw new Error('empty command');
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        let settled = false;
        const child = spawn(command, args, { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
        const stopChild = () => {
          timedOut = true;
          killGroup(child.pid, 'SIGTERM');
          setTimeout(() => killGroup(child.pid, 'SIGKILL'), grace).unref();
        };
        const timer = setTimeout(stopChild, runOpts.timeoutMs);
        const onAbort = () => stopChild();
        if (runOpts.signal?.aborted) stopChild();
        runOpts.signal?.addEventListener('abort', onAbort, { once: true });
        const finish = (exitCode: number, spawnError?: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          runOpts.signal?.removeEventListener('abort', onAbort);
          resolve({ exitCode, stdout, stderr, timedOut, ...(spawnError ? { spawnError } : {}) });
        };
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout = (stdout + d).slice(-MAX_CAPTURE);
        });
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          stderr = (stderr + d).slice(-MAX_CAPTURE);
        });
        // A command that exits without reading its input closes the pipe under us: not our failure.
        child.stdin.on('error', () => undefined);
        child.stdin.end(runOpts.input ?? '');
        child.once('error', (err: NodeJS.ErrnoException) => {
          stderr += `${command}: ${err.code ?? err.message}`;
          finish(err.code === 'ENOENT' ? 127 : 126, `${err.code ?? 'spawn failed'}: ${err.message}`);
        });
        child.once('close', (code, signal) => finish(code ?? (signal ? 128 + signalNumber(signal) : 1)));
      }),
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}
