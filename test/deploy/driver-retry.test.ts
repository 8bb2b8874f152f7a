import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { localRunner, type CommandRunner } from '../../src/deploy/drivers/command-runner.js';
import { createDriver } from '../../src/deploy/drivers/create-driver.js';
import { ExecutorControls } from '../../src/deploy/executor-controls.js';
import { StepFailedError } from '../../src/deploy/executor-errors.js';
import { httpProbe } from '../../src/deploy/health-probe.js';
import { runStep } from '../../src/deploy/run-step.js';
import type { DriverSpec, Step } from '../../src/deploy/types.js';
import type { RetryPolicy } from '../../src/retry/policy.js';
import { freePort } from '../helpers/process.js';
import { knownHostsLine, startSshd, type Sshd } from '../helpers/sshd.js';
import { FakeRouter, MemoryDeployStore, testEnv } from './fakes.js';

/**
 * Driver commands have exactly one retry level — the executor's — so a policy of N attempts is N
 * ssh connections, never N × the runner's own retries. Real OpenSSH client; a real sshd for the
 * host-key case.
 */

const policy: RetryPolicy = { attempts: 3, baseMs: 0, maxDelayMs: 0, jitter: 'none' };

/** The real local runner, counting the ssh processes it starts. */
function countingSsh(): { runner: CommandRunner; connections: () => number } {
  const local = localRunner();
  let n = 0;
  return {
    runner: {
      where: local.where,
      run: (argv, opts) => {
        if (argv[0] === 'ssh') n++;
        return local.run(argv, opts);
      },
    },
    connections: () => n,
  };
}

async function startThrough(spec: Extract<DriverSpec, { type: 'ssh' }>, local: CommandRunner) {
  const env = testEnv({
    instances: [{ name: 'a', host: '127.0.0.1', port: await freePort(), tags: [] }],
    driver: spec,
    run: { command: ['true'], env: {} },
  });
  const controls = new ExecutorControls('d-1', new MemoryDeployStore(), systemClock, {
    pollMs: 60_000,
    heartbeatMs: 60_000,
    heartbeat: async () => undefined,
    onError: () => undefined,
  });
  const step: Step = { kind: 'start', instances: ['a'], version: 'v1' };
  return runStep(step, {
    deployId: 'd-1',
    index: 0,
    env,
    driver: createDriver(spec, { local }),
    router: new FakeRouter(),
    toVersion: 'v1',
    probe: httpProbe,
    controls,
    now: () => Date.now(),
    retryPolicy: policy,
    versions: {},
    emit: async () => undefined,
  }).catch((e: unknown) => e);
}

describe('retries of driver commands over ssh', () => {
  let sshd: Sshd;
  let dir: string;
  let spec: Extract<DriverSpec, { type: 'ssh' }>;
  beforeAll(async () => {
    sshd = await startSshd();
    dir = mkdtempSync(join(tmpdir(), 'threader-retry-'));
    spec = {
      type: 'ssh',
      remote: 'process',
      user: sshd.user,
      port: sshd.port,
      identityFile: sshd.identityFile,
      knownHostsFile: sshd.knownHostsFile,
      stateDir: join(dir, 'state'),
      connectTimeout: 5_000,
      stopTimeout: 2_000,
    };
  });
  afterAll(async () => {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a refused ssh port costs exactly the policy’s number of connections, then the step fails', async () => {
    const ssh = countingSsh();
    const err = await startThrough({ ...spec, port: await freePort() }, ssh.runner);
    expect(err).toBeInstanceOf(StepFailedError);
    expect((err as Error).message).toMatch(
      /^starting a on v1 failed after 3 attempt\(s\): start of a on .*Connection refused$/,
    );
    expect(ssh.connections()).toBe(policy.attempts);
  });

  it('a host key that does not match known_hosts costs one connection: retrying cannot fix it', async () => {
    const other = join(dir, 'other_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other], { stdio: 'ignore' });
    const wrong = join(dir, 'wrong_known_hosts');
    writeFileSync(wrong, knownHostsLine(sshd.host, sshd.port, `${other}.pub`));
    const ssh = countingSsh();
    const err = await startThrough({ ...spec, knownHostsFile: wrong }, ssh.runner);
    expect(err).toBeInstanceOf(StepFailedError);
    expect((err as Error).message).toMatch(/not retried.*Host key verification failed/s);
    expect(ssh.connections()).toBe(1);
  });
});
