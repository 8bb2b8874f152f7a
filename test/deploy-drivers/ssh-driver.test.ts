import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localRunner, type CommandRunner } from '../../src/deploy/drivers/command-runner.js';
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

  it('remote systemd through sudo: the env file is really written 0600 with run.env, the unit started and read back', async () => {
    // The remote host: systemctl and sudo are shims first on PATH (no systemd or root here); install,
    // mv and cat are the real ones, fed through the real ssh session.
    const host = join(remoteDir, 'systemd-host');
    const shims = join(host, 'bin');
    const envDir = join(host, 'etc');
    mkdirSync(shims, { recursive: true });
    mkdirSync(envDir);
    const log = join(host, 'calls.log');
    writeFileSync(
      join(shims, 'sudo'),
      `#!/bin/sh\necho "sudo $*" >> '${log}'\n[ "$1" = -n ] || exit 1\nshift\nexec "$@"\n`,
    );
    writeFileSync(
      join(shims, 'systemctl'),
      [
        '#!/bin/sh',
        `echo "systemctl $*" >> '${log}'`,
        '[ "$1" = --no-ask-password ] && shift',
        `state='${host}'/"$2".state`,
        'case "$1" in',
        '  start) echo active > "$state" ;;',
        '  stop) rm -f "$state" ;;',
        '  is-active) if [ -f "$state" ]; then cat "$state"; else echo inactive; exit 3; fi ;;',
        '  show) echo 4321 ;;',
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(join(shims, 'sudo'), 0o755);
    chmodSync(join(shims, 'systemctl'), 0o755);
    // What a remote login's PATH would hold: the shims come first on the remote side of ssh.
    const local = localRunner();
    const onHost: CommandRunner = {
      where: local.where,
      run: (argv, opts) =>
        local.run(
          argv[0] === 'ssh' ? [...argv.slice(0, -1), `PATH='${shims}':"$PATH"; ${argv.at(-1)}`] : argv,
          opts,
        ),
    };
    const systemd = { ...spec, remote: 'systemd' as const, sudo: true, envDir };
    const unitRun: RunSpec = {
      command: [],
      env: { API_TOKEN: 's3cr3t "quoted" $x' },
      unit: 'svc@{instance}',
    };
    const driver = createDriver(systemd, { local: onHost });

    await driver.start(a, 'v7', unitRun);
    const envFile = join(envDir, 'a.env');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const body = readFileSync(envFile, 'utf8');
    expect(body).toContain('API_TOKEN="s3cr3t \\"quoted\\" \\$x"');
    expect(body).toContain('VERSION="v7"');
    expect(body).toContain(`PORT="${a.port}"`);
    expect(existsSync(`${envFile}.tmp`)).toBe(false);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls).toEqual([
      'sudo -n systemctl --no-ask-password stop svc@a.service',
      'systemctl --no-ask-password stop svc@a.service',
      `sudo -n install -m 0600 /dev/stdin ${envFile}.tmp`,
      `sudo -n mv -f ${envFile}.tmp ${envFile}`,
      'sudo -n systemctl --no-ask-password start svc@a.service',
      'systemctl --no-ask-password start svc@a.service',
    ]);
    expect(await driver.state(a, unitRun)).toEqual({ running: true, pid: 4321, version: 'v7' });

    await driver.stop(a, unitRun);
    expect(await driver.state(a, unitRun)).toEqual({ running: false });
  });
});
