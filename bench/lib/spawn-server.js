/** Starts lib/server-child.js in its own process and talks to it by request/response over IPC. */
import { fork } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout, clearTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./server-child.js', import.meta.url));

/**
 * @param {{kind: 'threader' | 'bare', channel?: string, postLimit?: {ratePerSec: number, burst: number},
 *   probeFirstAccept?: boolean, keep?: boolean, execArgv?: string[],
 *   env?: Record<string, string>}} opts
 */
export async function spawnServer(opts) {
  const dir = mkdtempSync(join(tmpdir(), `threader-bench-${opts.kind}-`));
  const logPath = join(dir, 'server.log');
  const logFd = openSync(logPath, 'w');
  const { execArgv: _, ...childOpts } = opts;
  const child = fork(CHILD, [JSON.stringify({ channel: 'C_BENCH', ...childOpts, dir })], {
    stdio: ['ignore', logFd, 'inherit', 'ipc'],
    execArgv: opts.execArgv ?? [],
  });
  closeSync(logFd);
  let nextId = 0;
  const waiting = new Map();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${opts.kind} server exited with ${code} before ready`)));
    child.on('message', (m) => {
      if (m.ready) return resolve(m.url);
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error) w?.reject(new Error(m.error));
      else w?.resolve(m.result);
    });
  });
  const { hostname, port } = new URL(url);
  const call = (cmd, args) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.send({ id, cmd, args });
    });
  return {
    url,
    dir,
    pid: child.pid,
    target: { host: hostname, port: Number(port) },
    call,
    logBytes: () => statSync(logPath).size,
    async close() {
      await Promise.race([call('close'), exited]).catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}
