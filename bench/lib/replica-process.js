/** `threader serve` processes for the replica benchmark: spawn, wait for /healthz, RSS, stop. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout, clearTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/threader.js', import.meta.url));

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function waitUntil(probe, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function statusMb(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) / 1024;
}

/**
 * @param {{db: string, slackUrl: string, configPath: string, logFd?: number, nodeOptions?: string}} o
 *   nodeOptions: NODE_OPTIONS for serve, as the systemd unit sets it (lib/serve-flags.js).
 */
export async function startServe(o) {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--config', o.configPath], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      THREADER_DB: o.db,
      SLACK_BOT_TOKEN: 'xoxb-bench-token',
      SLACK_API_URL: o.slackUrl,
      SLACK_CHANNEL: 'C_BENCH',
      LOG_LEVEL: 'warn',
      ...(o.nodeOptions !== undefined && { NODE_OPTIONS: o.nodeOptions }),
    },
    stdio: ['ignore', o.logFd ?? 'ignore', o.logFd ?? 'ignore'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await globalThis.fetch(`${url}/healthz`)).ok, 20_000);
  return {
    url,
    pid: child.pid,
    /** Resident set size in MB (VmRSS). */
    rssMb: () => statusMb(child.pid, 'VmRSS'),
    /** The most it was resident since it started, in MB (VmHWM, the kernel's high-water mark). */
    peakRssMb: () => statusMb(child.pid, 'VmHWM'),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
