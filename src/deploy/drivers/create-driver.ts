import type { DriverSpec, InstanceSpec } from '../types.js';
import type { CommandRunner } from './command-runner.js';
import { createProcessDriver } from './process-driver.js';
import { sshRunner } from './ssh-runner.js';
import { createSystemdDriver } from './systemd-driver.js';
import type { InstanceDriver } from './types.js';

export interface DriverDeps {
  now?: () => number;
  /** The local runner (tests inject a fake); ssh runs through it too. */
  local?: CommandRunner;
}

/**
 * The driver for an environment's DriverSpec. The ssh driver is the process or systemd driver with
 * every command sent through ssh to the instance's host: one implementation of each, local or remote.
 */
export function createDriver(spec: DriverSpec, deps: DriverDeps = {}): InstanceDriver {
  const local = deps.local;
  const localFor = local ? () => local : undefined;
  switch (spec.type) {
    case 'process':
      return createProcessDriver({
        stateDir: spec.stateDir,
        stopTimeout: spec.stopTimeout,
        runnerFor: localFor,
        now: deps.now,
      });
    case 'systemd':
      return createSystemdDriver({
        sudo: spec.sudo,
        stopTimeout: spec.stopTimeout,
        envDir: spec.envDir,
        runnerFor: localFor,
      });
    case 'ssh': {
      const runners = new Map<string, CommandRunner>();
      const runnerFor = (instance: InstanceSpec): CommandRunner => {
        let runner = runners.get(instance.host);
        if (!runner) {
          runner = sshRunner(
            instance.host,
            {
              user: spec.user,
              port: spec.port,
              identityFile: spec.identityFile,
              knownHostsFile: spec.knownHostsFile,
              connectTimeout: spec.connectTimeout,
            },
            { local },
          );
          runners.set(instance.host, runner);
        }
        return runner;
      };
      const overheadMs = 15_000 + spec.connectTimeout;
      if (spec.remote === 'systemd') {
        return createSystemdDriver({
          kind: 'ssh',
          sudo: spec.sudo ?? false,
          stopTimeout: spec.stopTimeout,
          envDir: spec.envDir,
          runnerFor,
          overheadMs,
        });
      }
      return createProcessDriver({
        kind: 'ssh',
        stateDir: spec.stateDir,
        stopTimeout: spec.stopTimeout,
        runnerFor,
        now: deps.now,
        overheadMs,
      });
    }
  }
}
