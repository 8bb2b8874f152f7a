import { connect } from 'node:net';
import type { InstanceSpec, RunSpec } from '../types.js';
import { DriverError } from './errors.js';
import { localRunner, type CommandRunner } from './command-runner.js';
import { checkEnvKeys, checkInstanceName, checkVersion } from './names.js';
import { startScript, stateScript, stopScript, type ProcessTarget } from './process-script.js';
import { runChecked } from './run-checked.js';
import { expandRun } from './template.js';
import type { DriverCallOptions, InstanceDriver, InstanceState } from './types.js';

export interface ProcessDriverOptions {
  stateDir: string;
  /** ms between SIGTERM and SIGKILL. */
  stopTimeout: number;
  /** Where an instance's scripts run: this machine by default, its host through the ssh runner. */
  runnerFor?: (instance: InstanceSpec) => CommandRunner;
  kind?: InstanceDriver['kind'];
  now?: () => number;
  /** Time for everything but the stop wait (mkdir, launch, /proc scan; ssh connects). */
  overheadMs?: number;
}

/**
 * The process driver: the run command as a detached process in its own process group, with a pid
 * file, a state JSON and an appended log per instance under stateDir (see process-script.ts). PORT,
 * VERSION and INSTANCE are set for it on top of RunSpec.env; it inherits only a small, named part
 * of the deployer's own environment (command-runner.ts baseEnv), never its secrets.
 */
export function createProcessDriver(opts: ProcessDriverOptions): InstanceDriver {
  const local = localRunner();
  const runnerFor = opts.runnerFor ?? (() => local);
  const now = opts.now ?? Date.now;
  const overhead = opts.overheadMs ?? 15_000;
  const target = (instance: InstanceSpec): ProcessTarget => {
    checkInstanceName(instance.name);
    return { stateDir: opts.stateDir, instance: instance.name, stopTimeoutMs: opts.stopTimeout };
  };
  const sh = async (
    script: string,
    instance: InstanceSpec,
    operation: 'start' | 'stop' | 'state',
    timeoutMs: number,
    call: DriverCallOptions = {},
  ) => {
    const result = await runChecked(
      runnerFor(instance),
      ['sh', '-s'],
      { input: script, timeoutMs, signal: call.signal },
      { instance: instance.name, host: instance.host, operation },
      `the ${operation} script`,
    );
    const lines = result.stdout.split('\n').filter((l) => l.trim() !== '');
    for (const line of lines) if (!line.startsWith('{')) call.onOutput?.(line);
    return lines;
  };

  return {
    kind: opts.kind ?? 'process',
    async start(instance: InstanceSpec, version: string, run: RunSpec, call?: DriverCallOptions) {
      checkVersion(version);
      const expanded = expandRun(run, instance, version);
      const env = { ...expanded.env, PORT: String(instance.port), VERSION: version, INSTANCE: instance.name };
      checkEnvKeys(env);
      const script = startScript(target(instance), {
        command: expanded.command,
        env,
        workingDir: expanded.workingDir,
        version,
        startedAt: now(),
      });
      if (!opts.runnerFor) {
        // Locally the check is one connect: after our own process stopped, anything still
        // listening is a process we do not track (a lost pid file), and the new one would die on
        // EADDRINUSE while the old one kept answering health checks (review R2 #4).
        await sh(stopScript(target(instance)), instance, 'stop', opts.stopTimeout + overhead, call);
        if (await listening(instance.host, instance.port))
          throw new DriverError(
            `${instance.host}:${instance.port} is taken by a process this driver did not start (its pid file is gone?): stop it, then deploy again`,
            { instance: instance.name, host: instance.host, operation: 'start' },
          );
      }
      await sh(script, instance, 'start', opts.stopTimeout + overhead, call);
    },
    async stop(instance: InstanceSpec, _run: RunSpec, call?: DriverCallOptions) {
      await sh(stopScript(target(instance)), instance, 'stop', opts.stopTimeout + overhead, call);
    },
    async state(instance: InstanceSpec, _run: RunSpec, call?: DriverCallOptions): Promise<InstanceState> {
      const lines = await sh(stateScript(target(instance)), instance, 'state', overhead, call);
      return parseState(lines);
    },
  };
}

/** Pure: the state script's output ("running PID" or "stopped", then the state JSON) as InstanceState. */
export function parseState(lines: string[]): InstanceState {
  const running = lines.map((l) => /^running (\d+)$/.exec(l)).find((m) => m !== null);
  if (!running) return { running: false };
  const state: InstanceState = { running: true, pid: Number(running[1]) };
  const json = lines.find((l) => l.startsWith('{'));
  if (json) {
    try {
      const recorded = JSON.parse(json) as { version?: unknown };
      if (typeof recorded.version === 'string') state.version = recorded.version;
    } catch {
      // A torn or hand-edited state file: running, version unknown.
    }
  }
  return state;
}

/** Whether something accepts TCP connections on host:port (a refused or timed-out connect: no). */
function listening(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
