import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDriver } from '../../src/deploy/drivers/create-driver.js';
import {
  DriverAuthError,
  DriverUnreachableError,
  isRetryableDriverError,
} from '../../src/deploy/drivers/errors.js';
import type { DriverSpec, InstanceSpec, RunSpec } from '../../src/deploy/types.js';
import { freePort, isAlive, waitFor } from '../helpers/process.js';
import { knownHostsLine, startSshd, type Sshd } from '../helpers/sshd.js';

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
  env: { GREETING: "it's {instance}" },
};

async function versionAt(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.headers.get('x-version') ?? undefined;
  } catch {
    return undefined;
  }
}

describe('ssh driver against a real sshd on loopback', () => {
  let sshd: Sshd;
  let remoteDir: string;
  let spec: Extract<DriverSpec, { type: 'ssh' }>;
  let a: InstanceSpec;

  beforeAll(async () => {
    sshd = await startSshd();
    remoteDir = mkdtempSync(join(tmpdir(), 'threader-remote-'));
    spec = {
      type: 'ssh',
      remote: 'process',
      user: sshd.user,
      port: sshd.port,
      identityFile: sshd.identityFile,
      knownHostsFile: sshd.knownHostsFile,
      stateDir: join(remoteDir, 'state'),
      connectTimeout: 5_000,
      stopTimeout: 2_000,
    };
    a = { name: 'a', host: sshd.host, port: await freePort(), tags: [] };
  });

  afterAll(async () => {
    await createDriver(spec)
      .stop(a, run)
      .catch(() => undefined);
    await sshd?.stop();
    rmSync(remoteDir, { recursive: true, force: true });
  });

  it('starts the service on the remote host, replaces its version, and stops it', async () => {
    const driver = createDriver(spec);
    expect(driver.kind).toBe('ssh');
    expect(await driver.state(a, run)).toEqual({ running: false });

    await driver.start(a, 'v1', run);
    // The ssh session has ended; the service it started keeps answering.
    await waitFor(async () => ((await versionAt(a.port)) === 'v1' ? true : undefined), { what: 'v1' });
    const v1 = await driver.state(a, run);
    expect(v1).toMatchObject({ running: true, version: 'v1' });
    // The pid file, state JSON and log are on the "remote" host, under its stateDir.
    expect(readFileSync(join(spec.stateDir, 'a.pid'), 'utf8').trim()).toBe(String(v1.pid));
    expect(readFileSync(`/proc/${v1.pid}/environ`, 'utf8')).toContain("GREETING=it's a");

    await driver.start(a, 'v2', run);
    expect(isAlive(v1.pid as number)).toBe(false);
    await waitFor(async () => ((await versionAt(a.port)) === 'v2' ? true : undefined), { what: 'v2' });
    expect(await driver.state(a, run)).toMatchObject({ running: true, version: 'v2' });

    await driver.stop(a, run);
    expect(await versionAt(a.port)).toBeUndefined();
    expect(await driver.state(a, run)).toEqual({ running: false });
    expect(existsSync(join(spec.stateDir, 'a.pid'))).toBe(false);
    expect(readFileSync(join(spec.stateDir, 'a.log'), 'utf8')).toMatch(/"version":"v2"/);
  });

  it('refuses a host whose key does not match known_hosts, without retrying', async () => {
    const other = join(remoteDir, 'other_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other], { stdio: 'ignore' });
    const wrongKnownHosts = join(remoteDir, 'wrong_known_hosts');
    writeFileSync(wrongKnownHosts, knownHostsLine(sshd.host, sshd.port, `${other}.pub`));
    const driver = createDriver({ ...spec, knownHostsFile: wrongKnownHosts });
    const err = await driver.start(a, 'v1', run).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverAuthError);
    expect((err as Error).message).toMatch(/Host key verification failed/);
    expect(isRetryableDriverError(err)).toBe(false);
    // Nothing ran there.
    expect(await versionAt(a.port)).toBeUndefined();
    expect(existsSync(join(spec.stateDir, 'a.pid'))).toBe(false);
  });

  it('refuses a host missing from known_hosts (no trust on first use)', async () => {
    const empty = join(remoteDir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const driver = createDriver({ ...spec, knownHostsFile: empty });
    await expect(driver.state(a, run)).rejects.toBeInstanceOf(DriverAuthError);
    expect(readFileSync(empty, 'utf8')).toBe('');
  });

  it('reports a host refusing connections as unreachable, for the executor to retry', async () => {
    const closed = await freePort();
    const driver = createDriver({ ...spec, port: closed });
    const err = await driver.state(a, run).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverUnreachableError);
    expect((err as Error).message).toMatch(/Connection refused$/);
    expect(isRetryableDriverError(err)).toBe(true);
  });
});
