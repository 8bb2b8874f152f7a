import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Generic helpers for tests that cross a process boundary: start a process in its own process
 * group, wait for it to say it is ready, and kill its whole tree afterwards. Everything started
 * here is tracked, so `stopAll()` in an afterAll cleans up even when a test failed half-way.
 */

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** `node bin/threader.js …` after `npm run build`. */
export const threaderBin = fileURLToPath(new URL('../../bin/threader.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Name used in error messages. */
  name?: string;
  /** Data written to stdin (then closed); stdin is otherwise closed at once. */
  input?: string;
}

export interface StartedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly name: string;
  stdout(): string;
  stderr(): string;
  /** Complete stdout lines so far. */
  lines(): string[];
  /** Resolves with the first stdout line (past or future) matching; rejects on exit or timeout. */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
  readonly exited: Promise<Exit>;
  /** Sends a signal to the process only (not its group), e.g. to test signal forwarding. */
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves when it exited. */
  stop(graceMs?: number): Promise<Exit>;
}

const running = new Set<StartedProcess>();

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}

export function startProcess(command: string, args: string[], opts: StartOptions = {}): StartedProcess {
  const name = opts.name ?? `${command} ${args.join(' ')}`.slice(0, 80);
  const child = spawn(command, args, {
    cwd: opts.cwd ?? repoRoot,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const pid = child.pid;
  let out = '';
  let err = '';
  let exit: Exit | undefined;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    notify();
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(opts.input ?? '');
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => {
      exit = { code, signal };
      running.delete(handle);
      notify();
      resolve(exit);
    });
  });
  const lines = () => out.split('\n').slice(0, -1);

  const handle: StartedProcess = {
    child,
    pid,
    name,
    stdout: () => out,
    stderr: () => err,
    lines,
    exited,
    signal: (sig) => {
      child.kill(sig);
    },
    waitForLine: (match, timeoutMs = 15_000) => {
      const test = typeof match === 'function' ? match : (l: string) => match.test(l);
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          const hit = lines().find(test);
          if (hit !== undefined) return done(() => resolve(hit));
          if (exit)
            done(() =>
              reject(
                new Error(`${name} exited (${exit?.code ?? exit?.signal}) before printing ${match}\n${err}`),
              ),
            );
        };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(new Error(`${name}: no line matching ${match} within ${timeoutMs}ms\n${out}\n${err}`)),
            ),
          timeoutMs,
        );
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        check();
      });
    },
    stop: async (graceMs = 5_000) => {
      if (exit) return exit;
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      // The leader is gone; make sure nothing it started outlives the test.
      killGroup(pid, 'SIGKILL');
      return result;
    },
  };
  running.add(handle);
  return handle;
}

export interface RunResult extends Exit {
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs a process to completion (killed after `timeoutMs`) and returns its exit and output. */
export async function runProcess(
  command: string,
  args: string[],
  opts: StartOptions & { timeoutMs?: number } = {},
): Promise<RunResult> {
  const started = Date.now();
  const p = startProcess(command, args, opts);
  const timer = setTimeout(() => void p.stop(1_000), opts.timeoutMs ?? 60_000);
  const exit = await p.exited;
  clearTimeout(timer);
  return { ...exit, stdout: p.stdout(), stderr: p.stderr(), durationMs: Date.now() - started };
}

/** `node bin/threader.js ARGS` to completion. */
export function runThreader(
  args: string[],
  opts: StartOptions & { timeoutMs?: number } = {},
): Promise<RunResult> {
  return runProcess(process.execPath, [threaderBin, ...args], {
    name: `threader ${args.join(' ')}`,
    ...opts,
  });
}

/** `node bin/threader.js ARGS` in the background (watchers, servers). */
export function spawnThreader(args: string[], opts: StartOptions = {}): StartedProcess {
  return startProcess(process.execPath, [threaderBin, ...args], {
    name: `threader ${args.join(' ')}`,
    ...opts,
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(2_000)));
}

/**
 * Polls `probe` until it returns something other than undefined. For readiness of external
 * processes that offer no event to wait on (Prometheus targets, HTTP ports).
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${why}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/** Resolves once `url` answers with a status below 400. */
export function waitForHttp(url: string, timeoutMs = 15_000): Promise<true> {
  return waitFor(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status < 400 ? true : undefined;
    },
    { timeoutMs, what: url },
  );
}

/**
 * A free loopback port, for servers that cannot bind port 0 and report it (Prometheus).
 * The port is released before returning, so a small race with other processes remains.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * True while a process exists and is not a zombie (killed orphans stay zombies until init reaps
 * them, which in containers can take seconds).
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return existsSync(`/proc/${pid}`) || !existsSync('/proc/self');
  }
}
