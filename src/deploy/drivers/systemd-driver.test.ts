import { describe, it, expect } from 'vitest';
import type { InstanceSpec, RunSpec } from '../types.js';
import type { CommandResult, CommandRunner, RunOptions } from './command-runner.js';
import { DriverError } from './errors.js';
import {
  createSystemdDriver,
  renderEnvFile,
  unitInstance,
  unitName,
  versionFromEnvFile,
} from './systemd-driver.js';

interface Call {
  argv: string[];
  input?: string;
}

/** A runner that records every command and answers from a script of results (default: exit 0). */
function fakeRunner(answer: (argv: string[]) => Partial<CommandResult> = () => ({})) {
  const calls: Call[] = [];
  const runner: CommandRunner = {
    where: 'fake',
    run: async (argv: readonly string[], opts: RunOptions) => {
      calls.push({ argv: [...argv], ...(opts.input !== undefined ? { input: opts.input } : {}) });
      return { exitCode: 0, stdout: '', stderr: '', timedOut: false, ...answer([...argv]) };
    },
  };
  return { calls, runner };
}

const a: InstanceSpec = { name: 'a', host: '127.0.0.1', port: 8081, tags: [] };
const run: RunSpec = {
  command: [],
  env: { LOG_LEVEL: 'info', THREADER_DB: '/var/lib/alert-threader/{instance}.db' },
};

describe('systemd driver commands', () => {
  it('start stops the unit, writes the env file beside (mode 0600, nothing echoed) and renames it, then starts the unit', async () => {
    const { calls, runner } = fakeRunner();
    const driver = createSystemdDriver({ sudo: false, stopTimeout: 30_000, runnerFor: () => runner });
    await driver.start(a, 'v2.1.0', run);
    expect(calls.map((c) => c.argv)).toEqual([
      ['systemctl', '--no-ask-password', 'stop', 'alert-threader@a.service'],
      ['install', '-m', '0600', '/dev/stdin', '/etc/alert-threader/a.env.tmp'],
      ['mv', '-f', '/etc/alert-threader/a.env.tmp', '/etc/alert-threader/a.env'],
      ['systemctl', '--no-ask-password', 'start', 'alert-threader@a.service'],
    ]);
    expect(calls[1]?.input).toBe(
      [
        "# Written by threader deploy; read by the unit's EnvironmentFile=. Do not edit.",
        'LOG_LEVEL="info"',
        'THREADER_DB="/var/lib/alert-threader/a.db"',
        'INSTANCE="a"',
        'PORT="8081"',
        'VERSION="v2.1.0"',
        '',
      ].join('\n'),
    );
  });

  it('prefixes every privileged command with sudo -n, and honours a custom unit and env dir', async () => {
    const { calls, runner } = fakeRunner();
    const driver = createSystemdDriver({
      sudo: true,
      stopTimeout: 30_000,
      envDir: '/etc/svc',
      runnerFor: () => runner,
    });
    await driver.start(a, 'v2', { ...run, unit: 'svc@{instance}-{port}' });
    expect(calls.map((c) => c.argv)).toEqual([
      ['sudo', '-n', 'systemctl', '--no-ask-password', 'stop', 'svc@a-8081.service'],
      ['sudo', '-n', 'install', '-m', '0600', '/dev/stdin', '/etc/svc/a-8081.env.tmp'],
      ['sudo', '-n', 'mv', '-f', '/etc/svc/a-8081.env.tmp', '/etc/svc/a-8081.env'],
      ['sudo', '-n', 'systemctl', '--no-ask-password', 'start', 'svc@a-8081.service'],
    ]);
  });

  it('stop is one systemctl stop', async () => {
    const { calls, runner } = fakeRunner();
    await createSystemdDriver({ sudo: true, stopTimeout: 1_000, runnerFor: () => runner }).stop(a, run);
    expect(calls.map((c) => c.argv)).toEqual([
      ['sudo', '-n', 'systemctl', '--no-ask-password', 'stop', 'alert-threader@a.service'],
    ]);
  });

  it('state of an active unit reports its main pid and the version in its env file', async () => {
    const { calls, runner } = fakeRunner((argv) => {
      if (argv.includes('is-active')) return { stdout: 'active\n' };
      if (argv.includes('show')) return { stdout: '4242\n' };
      return { stdout: renderEnvFile({ PORT: '8081', VERSION: 'v7' }) };
    });
    const state = await createSystemdDriver({
      sudo: true,
      stopTimeout: 1_000,
      runnerFor: () => runner,
    }).state(a, run);
    expect(state).toEqual({ running: true, pid: 4242, version: 'v7' });
    expect(calls.map((c) => c.argv)).toEqual([
      ['systemctl', 'is-active', 'alert-threader@a.service'],
      ['systemctl', 'show', '--property=MainPID', '--value', 'alert-threader@a.service'],
      ['sudo', '-n', 'cat', '/etc/alert-threader/a.env'],
    ]);
  });

  it.each([
    ['inactive', 3],
    ['failed', 3],
    ['unknown', 4],
  ])('state of a unit that is-active calls "%s" (exit %i) is not running', async (word, exitCode) => {
    const { runner } = fakeRunner(() => ({ stdout: `${word}\n`, exitCode }));
    const driver = createSystemdDriver({ sudo: false, stopTimeout: 1_000, runnerFor: () => runner });
    expect(await driver.state(a, run)).toEqual({ running: false });
  });

  it('a refused systemctl fails the step with its stderr', async () => {
    const { calls, runner } = fakeRunner((argv) =>
      argv.includes('start')
        ? {
            exitCode: 5,
            stderr: 'Failed to start alert-threader@a.service: Unit alert-threader@a.service not found.\n',
          }
        : {},
    );
    const driver = createSystemdDriver({ sudo: false, stopTimeout: 1_000, runnerFor: () => runner });
    const err = await driver
      .start(a, 'v2', { ...run, env: { TOKEN: 'secret-value' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as DriverError).code).toBe('driver_failed');
    expect((err as DriverError).message).toBe(
      'start of a on fake: systemctl start alert-threader@a.service failed (exit 5): Failed to start alert-threader@a.service: Unit alert-threader@a.service not found.',
    );
    // The env file went through stdin; no command line and no message carries its values.
    expect(JSON.stringify(calls.map((c) => c.argv))).not.toContain('secret-value');
    expect((err as DriverError).message).not.toContain('secret-value');
  });

  it('a sudo without a rule fails at once instead of prompting', async () => {
    const { runner } = fakeRunner(() => ({ exitCode: 1, stderr: 'sudo: a password is required\n' }));
    const driver = createSystemdDriver({ sudo: true, stopTimeout: 1_000, runnerFor: () => runner });
    await expect(driver.stop(a, run)).rejects.toThrow(
      /systemctl stop alert-threader@a.service failed \(exit 1\): sudo: a password is required/,
    );
  });
});

describe('unit names and env files', () => {
  it.each([
    ['the default template gets the instance and .service', undefined, 'alert-threader@a.service', 'a'],
    ['an explicit suffix is kept', 'web@{instance}.service', 'web@a.service', 'a'],
    ['a plain unit names its own env file', 'web-a', 'web-a.service', 'web-a'],
  ])('%s', (_name, unit, expected, instance) => {
    const name = unitName({ command: [], env: {}, ...(unit ? { unit } : {}) }, a);
    expect(name).toBe(expected);
    expect(unitInstance(name)).toBe(instance);
  });

  it('refuses a unit name that depends on the version', () => {
    expect(() => unitName({ command: [], env: {}, unit: 'svc@{version}' }, a)).toThrow(
      /cannot contain \{version\}/,
    );
  });

  it('escapes what systemd would interpret in a double-quoted value, and reads it back', () => {
    const body = renderEnvFile({ A: 'say "hi" \\ $HOME `id`', VERSION: 'v1' });
    expect(body).toContain('A="say \\"hi\\" \\\\ \\$HOME \\`id\\`"');
    expect(versionFromEnvFile(body)).toBe('v1');
  });

  it('refuses a value with a line break, which could smuggle in another variable', () => {
    expect(() => renderEnvFile({ A: 'x\nVERSION=evil' })).toThrow(
      /run\.env\.A: a value cannot contain a line break/,
    );
  });
});
