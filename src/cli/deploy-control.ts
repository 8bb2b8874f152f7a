import type { Command } from 'commander';
import type { ControlAction } from '../deploy/executor-types.js';

export interface ControlFlags {
  config: string;
  stateDb?: string;
  by?: string;
  reason?: string;
  json?: boolean;
}

const HELP: Record<ControlAction, string> = {
  approve: 'let a deploy waiting at its approval step go on',
  abort: 'stop a deploy: traffic back to the stable version, then status aborted',
  pause: 'hold a deploy before its next step',
  resume: 'continue a paused deploy (a user pause, a pause step, an Inconclusive analysis)',
};

/**
 * `threader approve|abort|pause|resume ID`: a request stored for the deploy's executor, which may
 * run in another process or on another CI runner; it acts within a second. Exit 0 when the request
 * was recorded, 2 for an unknown or finished deploy (and for approve, one not waiting for approval).
 */
export function register(program: Command): void {
  for (const action of Object.keys(HELP) as ControlAction[]) {
    program
      .command(action)
      .summary(HELP[action])
      .argument('<id>', 'deploy id (see `threader status`)')
      .requiredOption('--config <file>', 'deploy config (YAML)')
      .option('--reason <text>', 'why (recorded in the deploy log)')
      .option('--by <name>', 'who asks (default $THREADER_ACTOR, $GITHUB_ACTOR, $GITLAB_USER_LOGIN, $USER)')
      .option('--state-db <path>', 'deploy records (default: stateDb of the config)')
      .option('--json', 'machine-readable output')
      // The deploy store and the executor's liveness check load only when a request is made.
      .action(async (id: string, flags: ControlFlags) =>
        (await import('./deploy-control-action.js')).requestControl(action, id, flags),
      );
  }
}
