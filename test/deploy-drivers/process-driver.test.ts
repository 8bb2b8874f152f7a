import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessDriver } from '../../src/deploy/drivers/process-driver.js';
import type { InstanceSpec, RunSpec } from '../../src/deploy/types.js';
import { freePort, isAlive, waitFor } from '../helpers/process.js';

const service = new URL('../fixtures/test-service.mjs', import.meta.url).pathname;
const run: RunSpec = {
  command: [
    process.execPath,
    service,
    '--port',
    '{port}',
    '--version-label',
    '{version}',
    '--name',
    '{instance}',
  ],
  env: { GREETING: 'hello {instance}' },
};

/** The version the instance answers with, or undefined while nothing listens. */
async function versionAt(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.headers.get('x-version') ?? undefined;
  } catch {
    return undefined;
  }
}

const answers = (port: number, version: string) =>
  waitFor(async () => ((await versionAt(port)) === version ? true : undefined), {
    what: `${version} on ${port}`,
  });

function environ(pid: number): Record<string, string> {
  const raw = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(raw.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

/** Live processes in a process group (zombies excluded). */
function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(pgrp) === pgid && state !== 'Z';
      } catch {
        return false;
      }
    });
}

describe('process driver: real processes of the test service', () => {
  let stateDir: string;
  let a: InstanceSpec;
  const driver = () => createProcessDriver({ stateDir, stopTimeout: 2_000 });

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'threader-process-driver-'));
    a = { name: 'a', host: '127.0.0.1', port: await freePort(), tags: [] };
  });

  afterAll(async () => {
    await driver().stop(a, run);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts v1, replaces it with v2, stops it, and stopping again is fine', async () => {
    process.env.THREADER_TEST_SECRET = 'xoxb-must-not-leak';
    const lines: string[] = [];
    const d = driver();

    await d.start(a, 'v1', run, { onOutput: (l) => lines.push(l) });
    await answers(a.port, 'v1');
    const first = await d.state(a, run);
    expect(first).toMatchObject({ running: true, version: 'v1' });
    const env = environ(first.pid as number);
    expect(env).toMatchObject({ PORT: String(a.port), VERSION: 'v1', INSTANCE: 'a', GREETING: 'hello a' });
    expect(env.THREADER_TEST_SECRET).toBeUndefined();
    expect(JSON.parse(readFileSync(join(stateDir, 'a.json'), 'utf8'))).toMatchObject({
      version: 'v1',
      pid: first.pid,
    });
    expect(readFileSync(join(stateDir, 'a.pid'), 'utf8').trim()).toBe(String(first.pid));

    await d.start(a, 'v2', run, { onOutput: (l) => lines.push(l) });
    // The old process was stopped before the new one started: v1 is gone, not merely outvoted.
    expect(isAlive(first.pid as number)).toBe(false);
    await answers(a.port, 'v2');
    const second = await d.state(a, run);
    expect(second).toMatchObject({ running: true, version: 'v2' });
    expect(lines).toContain(`stopped pid ${first.pid}`);

    await d.stop(a, run);
    expect(isAlive(second.pid as number)).toBe(false);
    expect(await versionAt(a.port)).toBeUndefined();
    expect(await d.state(a, run)).toEqual({ running: false });
    expect(existsSync(join(stateDir, 'a.pid'))).toBe(false);
    await d.stop(a, run);

    // Both runs appended their output to the instance's log.
    const log = readFileSync(join(stateDir, 'a.log'), 'utf8');
    expect(log).toMatch(/"version":"v1"/);
    expect(log).toMatch(/"version":"v2"/);
    delete process.env.THREADER_TEST_SECRET;
  });

  it('refuses to start where a process it did not start holds the port, instead of starting one that dies on EADDRINUSE', async () => {
    const other = { ...a, name: 'stray', port: await freePort() };
    const server = createServer().listen(other.port, '127.0.0.1');
    await once(server, 'listening');
    try {
      await expect(driver().start(other, 'v2', run)).rejects.toThrow(
        `127.0.0.1:${other.port} is taken by a process this driver did not start`,
      );
      expect(await driver().state(other, run)).toEqual({ running: false });
    } finally {
      server.close();
    }
  });

  it('stops the whole process group, children included', async () => {
    const d = driver();
    const withChild: RunSpec = {
      command: ['sh', '-c', `sleep 300 & exec "$0" "$@"`, ...run.command],
      env: {},
    };
    await d.start(a, 'v1', withChild);
    await answers(a.port, 'v1');
    const { pid } = await d.state(a, withChild);
    expect(groupMembers(pid as number).length).toBe(2);
    await d.stop(a, withChild);
    expect(groupMembers(pid as number)).toEqual([]);
  });

  it('sends SIGKILL to a process that ignores SIGTERM once stopTimeout has passed', async () => {
    const d = createProcessDriver({ stateDir, stopTimeout: 300 });
    const stubborn: RunSpec = { command: ['sh', '-c', 'trap "" TERM; echo up; exec sleep 300'], env: {} };
    await d.start(a, 'v1', stubborn);
    // Only once it says "up" has it installed the trap.
    await waitFor(() => (readFileSync(join(stateDir, 'a.log'), 'utf8').endsWith('up\n') ? true : undefined));
    const { pid } = await d.state(a, stubborn);
    const lines: string[] = [];
    await d.stop(a, stubborn, { onOutput: (l) => lines.push(l) });
    // The driver's own account (not a wall-clock bound, which a busy runner can miss by a ms).
    expect(lines.join('\n')).toMatch(/ignored SIGTERM.*sent SIGKILL/);
    await waitFor(() => (isAlive(pid as number) ? undefined : true), { what: 'the stubborn process gone' });
  });

  it('leaves alone a program that reused the pid of a stale pid file', async () => {
    const d = driver();
    const other = spawn('sleep', ['300'], { stdio: 'ignore' });
    const pid = other.pid as number;
    writeFileSync(join(stateDir, 'a.pid'), `${pid}\n`);
    writeFileSync(
      join(stateDir, 'a.json'),
      JSON.stringify({ version: 'v0', pid, startTime: 1, startedAt: 0 }),
    );
    try {
      expect(await d.state(a, run)).toEqual({ running: false });
      await d.start(a, 'v1', run);
      expect(isAlive(pid)).toBe(true);
      await answers(a.port, 'v1');
      await d.stop(a, run);
      expect(isAlive(pid)).toBe(true);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('treats a pid file naming a process that is gone as not running', async () => {
    const d = driver();
    // A pid known to be free: a child that ran and was reaped (999999 may exist where pid_max is 4M).
    const gone = spawn('true', { stdio: 'ignore' });
    await new Promise((r) => gone.once('exit', r));
    writeFileSync(join(stateDir, 'a.pid'), `${gone.pid}\n`);
    expect(await d.state(a, run)).toEqual({ running: false });
    await d.start(a, 'v3', run);
    await answers(a.port, 'v3');
    await d.stop(a, run);
  });

  it('reports a working directory that does not exist, with the script output', async () => {
    const d = driver();
    await expect(d.start(a, 'v1', { ...run, workingDir: join(stateDir, 'nope') })).rejects.toThrow(
      /start of a on localhost: the start script failed \(exit 2\): .*working directory/s,
    );
  });

  it('aborts an operation through its signal', async () => {
    const d = createProcessDriver({ stateDir, stopTimeout: 60_000 });
    const stubborn: RunSpec = { command: ['sh', '-c', 'trap "" TERM; exec sleep 300'], env: {} };
    await d.start(a, 'v1', stubborn);
    const ac = new AbortController();
    const stopping = d.stop(a, stubborn, { signal: ac.signal });
    ac.abort();
    await expect(stopping).rejects.toThrow(/aborted/);
    await createProcessDriver({ stateDir, stopTimeout: 0 }).stop(a, stubborn);
    expect(await d.state(a, stubborn)).toEqual({ running: false });
  });
});
