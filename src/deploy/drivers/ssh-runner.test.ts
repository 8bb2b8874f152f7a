import { describe, it, expect } from 'vitest';
import type { InstanceSpec } from '../types.js';
import type { CommandResult, CommandRunner, RunOptions } from './command-runner.js';
import { createDriver } from './create-driver.js';
import { DriverAuthError, DriverUnreachableError, isRetryableDriverError } from './errors.js';
import { classifySshFailure, sshArgv, sshRunner } from './ssh-runner.js';

const opts = {
  user: 'deploy',
  port: 2222,
  identityFile: '/keys/id_ed25519',
  knownHostsFile: '/keys/known_hosts',
  connectTimeout: 4_500,
};
const result = (r: Partial<CommandResult>): CommandResult => ({
  exitCode: 0,
  stdout: '',
  stderr: '',
  timedOut: false,
  ...r,
});

function scriptedLocal(answers: Partial<CommandResult>[]) {
  const calls: { argv: string[]; opts: RunOptions }[] = [];
  const local: CommandRunner = {
    where: 'localhost',
    run: async (argv, o) => {
      calls.push({ argv: [...argv], opts: o });
      return result(answers[Math.min(calls.length - 1, answers.length - 1)] ?? {});
    },
  };
  return { calls, local };
}

describe('sshArgv', () => {
  it('checks host keys strictly against the given file, never prompts, and quotes the remote command', () => {
    expect(sshArgv('10.0.0.5', opts, "systemctl is-active 'alert-threader@a.service'")).toEqual([
      'ssh',
      '-T',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'ConnectTimeout=5',
      '-o',
      'ServerAliveInterval=10',
      '-o',
      'ServerAliveCountMax=3',
      '-o',
      'LogLevel=ERROR',
      '-o',
      'UserKnownHostsFile=/keys/known_hosts',
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-i',
      '/keys/id_ed25519',
      '-o',
      'IdentitiesOnly=yes',
      '-p',
      '2222',
      '-l',
      'deploy',
      '--',
      '10.0.0.5',
      "systemctl is-active 'alert-threader@a.service'",
    ]);
  });

  it('leaves user, port, key and known_hosts to ssh defaults when not given, still strict', () => {
    const argv = sshArgv('web-1', { connectTimeout: 10_000 }, 'true');
    expect(argv).toContain('StrictHostKeyChecking=yes');
    expect(argv).not.toContain('-i');
    expect(argv).not.toContain('-p');
    expect(argv.slice(-3)).toEqual(['--', 'web-1', 'true']);
  });
});

describe('classifySshFailure', () => {
  it.each([
    ['a remote command failure is not ssh failing', { exitCode: 1, stderr: 'boom' }, undefined],
    [
      'a refused connection is unreachable',
      { exitCode: 255, stderr: 'ssh: connect to host h port 22: Connection refused' },
      'unreachable',
    ],
    [
      'a connect timeout is unreachable',
      { exitCode: 255, stderr: 'ssh: connect to host h port 22: Connection timed out' },
      'unreachable',
    ],
    [
      'an unknown name is unreachable',
      { exitCode: 255, stderr: 'ssh: Could not resolve hostname nope' },
      'unreachable',
    ],
    ['a wrong host key is refused', { exitCode: 255, stderr: 'Host key verification failed.' }, 'auth'],
    [
      'a refused client key is refused',
      { exitCode: 255, stderr: 'deploy@h: Permission denied (publickey).' },
      'auth',
    ],
  ])('%s', (_name, r, kind) => {
    expect(classifySshFailure(result(r))?.kind).toBe(kind);
  });
});

describe('sshRunner', () => {
  it('sends the argv as one quoted command line and passes stdin through', async () => {
    const { calls, local } = scriptedLocal([{ stdout: 'ok' }]);
    const r = await sshRunner('h', opts, { local }).run(['sh', '-s'], {
      input: 'echo hi',
      timeoutMs: 1_000,
    });
    expect(r.stdout).toBe('ok');
    expect(calls[0]?.argv.slice(-3)).toEqual(['--', 'h', 'sh -s']);
    expect(calls[0]?.opts.input).toBe('echo hi');
    expect(calls[0]?.opts.timeoutMs).toBe(1_000 + opts.connectTimeout);
  });

  it('reports a refused connection as unreachable after one attempt: the executor owns the retries', async () => {
    const refused = { exitCode: 255, stderr: 'ssh: connect to host h port 2222: Connection refused' };
    const { calls, local } = scriptedLocal([refused, { stdout: 'active' }]);
    const r = await sshRunner('h', opts, { local }).run(['systemctl', 'is-active', 'u'], {
      timeoutMs: 1_000,
    });
    expect(calls).toHaveLength(1);
    expect(r.transport).toEqual({
      kind: 'unreachable',
      message: 'ssh: connect to host h port 2222: Connection refused',
    });
  });

  it('reports a wrong host key as an auth failure', async () => {
    const { calls, local } = scriptedLocal([{ exitCode: 255, stderr: 'Host key verification failed.' }]);
    const r = await sshRunner('h', opts, { local }).run(['true'], { timeoutMs: 1_000 });
    expect(calls).toHaveLength(1);
    expect(r.transport).toEqual({ kind: 'auth', message: 'Host key verification failed.' });
  });
});

describe('ssh driver errors', () => {
  const a: InstanceSpec = { name: 'a', host: 'web-1', port: 8081, tags: [] };
  const spec = {
    type: 'ssh' as const,
    remote: 'systemd' as const,
    stateDir: '/var/lib/threader',
    connectTimeout: 1_000,
    stopTimeout: 1_000,
  };

  it('an unreachable host fails the operation with driver_unreachable, which the executor may retry', async () => {
    const { calls, local } = scriptedLocal([
      { exitCode: 255, stderr: 'ssh: connect to host web-1 port 22: No route to host' },
    ]);
    const driver = createDriver(spec, { local });
    const err = await driver.stop(a, { command: [], env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverUnreachableError);
    expect((err as DriverUnreachableError).code).toBe('driver_unreachable');
    expect((err as Error).message).toBe(
      'stop of a on web-1: ssh: connect to host web-1 port 22: No route to host',
    );
    expect(isRetryableDriverError(err)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.argv.slice(-2)).toEqual([
      'web-1',
      'systemctl --no-ask-password stop alert-threader@a.service',
    ]);
  });

  it('a wrong host key fails the operation with driver_auth_failed at once', async () => {
    const { local } = scriptedLocal([{ exitCode: 255, stderr: 'Host key verification failed.' }]);
    const driver = createDriver(spec, { local });
    const err = await driver.state(a, { command: [], env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverAuthError);
    expect(isRetryableDriverError(err)).toBe(false);
  });
});
