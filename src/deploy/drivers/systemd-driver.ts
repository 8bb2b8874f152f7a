import type { InstanceSpec, RunSpec } from '../types.js';
import { localRunner, type CommandRunner } from './command-runner.js';
import { ValidationError } from '../../errors.js';
import { checkEnvKeys, checkInstanceName, checkVersion } from './names.js';
import { runChecked, type Target } from './run-checked.js';
import { expandRun, expandTemplate, templateVars } from './template.js';
import type { DriverCallOptions, InstanceDriver, InstanceState } from './types.js';

/**
 * The systemd driver: `systemctl stop|start|is-active` on an instantiated template unit
 * (alert-threader@INSTANCE). The version reaches the unit through an env file the unit reads with
 * `EnvironmentFile=/etc/alert-threader/%i.env` (examples/systemd/alert-threader@.service): one file
 * per instance, so instances of one template run different versions, which a global
 * `systemctl set-environment` could not do. systemd reads EnvironmentFile at every start, so no
 * daemon-reload is needed. The unit's ExecStart picks the release with ${VERSION}; RunSpec.command
 * and workingDir are not used here (the unit owns them), RunSpec.env is written to the env file.
 *
 * SIGKILL escalation is the unit's TimeoutStopSec (keep it equal to stopTimeout); stopTimeout
 * bounds how long we wait for `systemctl stop`. Not run against a live systemd here: the commands
 * are unit-tested through an injected runner.
 */

export const DEFAULT_UNIT = 'alert-threader@{instance}';
export const DEFAULT_ENV_DIR = '/etc/alert-threader';

export interface SystemdDriverOptions {
  /** Prefix privileged commands with `sudo -n` (never prompts: a missing sudoers rule fails at once). */
  sudo: boolean;
  stopTimeout: number;
  envDir?: string;
  /** The runner for an instance's host: local by default, ssh for the ssh driver. */
  runnerFor?: (instance: InstanceSpec) => CommandRunner;
  kind?: InstanceDriver['kind'];
  overheadMs?: number;
}

/** Pure: the full unit name for an instance ("alert-threader@a.service"). */
export function unitName(run: RunSpec, instance: InstanceSpec): string {
  const template = run.unit ?? DEFAULT_UNIT;
  const field = 'run.unit';
  if (template.includes('{version}')) {
    // stop and state must find the unit without knowing which version runs there.
    throw new ValidationError([{ field, problem: 'a unit name cannot contain {version}' }], 'run template');
  }
  const unit = expandTemplate(template, templateVars(instance, ''), field);
  if (!/^[A-Za-z0-9:_.@-]+$/.test(unit)) {
    throw new ValidationError(
      [{ field, problem: `"${unit}" has characters systemd does not allow` }],
      'run template',
    );
  }
  return /\.[a-z]+$/.test(unit) ? unit : `${unit}.service`;
}

/** Pure: what %i is for the unit (the part after "@"), which names its env file. */
export function unitInstance(unit: string): string {
  const base = unit.replace(/\.[a-z]+$/, '');
  const at = base.indexOf('@');
  return at === -1 ? base : base.slice(at + 1);
}

/**
 * Pure: an EnvironmentFile body. Values are double-quoted with systemd's escapes for \ " $ and `;
 * a newline cannot be expressed portably across systemd versions, so it is refused.
 */
export function renderEnvFile(env: Record<string, string>): string {
  checkEnvKeys(env);
  const lines = Object.entries(env).map(([key, value]) => {
    if (/[\n\r\0]/.test(value)) {
      throw new ValidationError(
        [{ field: `run.env.${key}`, problem: 'a value cannot contain a line break' }],
        'run env',
      );
    }
    return `${key}="${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
  });
  return `# Written by threader deploy; read by the unit's EnvironmentFile=. Do not edit.\n${lines.join('\n')}\n`;
}

/** Pure: VERSION from an env file body as renderEnvFile wrote it. */
export function versionFromEnvFile(body: string): string | undefined {
  const m = /^VERSION="((?:[^"\\]|\\.)*)"$/m.exec(body);
  return m?.[1]?.replace(/\\(.)/g, '$1');
}

export function createSystemdDriver(opts: SystemdDriverOptions): InstanceDriver {
  const local = localRunner();
  const runnerFor = opts.runnerFor ?? (() => local);
  const envDir = opts.envDir ?? DEFAULT_ENV_DIR;
  const overhead = opts.overheadMs ?? 15_000;
  const priv = (argv: string[]) => (opts.sudo ? ['sudo', '-n', ...argv] : argv);
  const systemctl = (verb: string, unit: string) => priv(['systemctl', '--no-ask-password', verb, unit]);
  const envFileOf = (unit: string) => `${envDir}/${unitInstance(unit)}.env`;
  const target = (instance: InstanceSpec, operation: Target['operation']): Target => {
    checkInstanceName(instance.name);
    return { instance: instance.name, host: instance.host, operation };
  };

  const stop = async (instance: InstanceSpec, unit: string, call: DriverCallOptions = {}) => {
    await runChecked(
      runnerFor(instance),
      systemctl('stop', unit),
      { timeoutMs: opts.stopTimeout + overhead, signal: call.signal },
      target(instance, 'stop'),
      `systemctl stop ${unit}`,
    );
    call.onOutput?.(`stopped ${unit}`);
  };

  return {
    kind: opts.kind ?? 'systemd',
    async start(instance, version, run, call = {}) {
      checkVersion(version);
      const unit = unitName(run, instance);
      const env = expandRun(run, instance, version).env;
      const body = renderEnvFile({
        ...env,
        INSTANCE: instance.name,
        PORT: String(instance.port),
        VERSION: version,
      });
      const runner = runnerFor(instance);
      const t = target(instance, 'start');
      const o = { timeoutMs: overhead, signal: call.signal };
      const file = envFileOf(unit);
      await stop(instance, unit, call);
      // Written beside and renamed, so a unit (re)started meanwhile never reads half a file.
      // install -m 0600 creates it readable by its owner only (run.env may hold secrets; tee would
      // leave it to the umask, usually 0644, and echo the secrets onto its captured stdout).
      await runChecked(
        runner,
        priv(['install', '-m', '0600', '/dev/stdin', `${file}.tmp`]),
        { ...o, input: body },
        t,
        `writing ${file}`,
      );
      await runChecked(runner, priv(['mv', '-f', `${file}.tmp`, file]), o, t, `writing ${file}`);
      await runChecked(runner, systemctl('start', unit), o, t, `systemctl start ${unit}`);
      call.onOutput?.(`started ${unit} at ${version}`);
    },
    async stop(instance, run, call) {
      await stop(instance, unitName(run, instance), call);
    },
    async state(instance, run, call = {}): Promise<InstanceState> {
      const unit = unitName(run, instance);
      const runner = runnerFor(instance);
      const t = target(instance, 'state');
      const o = { timeoutMs: overhead, signal: call.signal };
      // is-active: 0 active, 3 inactive or failed, 4 no such unit — all answers, not failures.
      const active = await runChecked(
        runner,
        ['systemctl', 'is-active', unit],
        o,
        t,
        'systemctl is-active',
        [0, 1, 2, 3, 4],
      );
      const word = active.stdout.trim().split('\n')[0] ?? '';
      if (!['active', 'activating', 'reloading'].includes(word)) return { running: false };
      const state: InstanceState = { running: true };
      const shown = await runChecked(
        runner,
        ['systemctl', 'show', '--property=MainPID', '--value', unit],
        o,
        t,
        'systemctl show',
      );
      const pid = Number(shown.stdout.trim());
      if (Number.isInteger(pid) && pid > 0) state.pid = pid;
      // A missing env file (started by hand) leaves the version unknown, which is not an error.
      const env = await runChecked(
        runner,
        priv(['cat', envFileOf(unit)]),
        o,
        t,
        'reading the env file',
        [0, 1],
      );
      const version = env.exitCode === 0 ? versionFromEnvFile(env.stdout) : undefined;
      if (version !== undefined) state.version = version;
      return state;
    },
  };
}
