import type { Command } from 'commander';
import { hostname } from 'node:os';
import { loadDeploySpec } from '../deploy/spec.js';
import { openStore } from '../deploy/compose.js';
import { ownerLiveness, pidAlive } from '../deploy/executor-start.js';
import type { ControlAction } from '../deploy/executor-types.js';
import { FINAL_STATUSES } from '../store/deploy-types.js';
import type { DeployStatus } from '../deploy/types.js';
import { currentActor } from '../guard/paths.js';
import { UsageError } from '../errors.js';

interface ControlFlags {
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
 * Why a request cannot be taken now (pure), or undefined. An approval is accepted only while the
 * deploy waits at an approval step: stored earlier, it would approve the next gate before anyone
 * saw what it asks (review R2 #6).
 */
export function controlRefusal(action: ControlAction, status: DeployStatus): string | undefined {
  if (FINAL_STATUSES.includes(status)) return `already ended (${status}); nothing to ${action}`;
  if (action === 'approve' && status !== 'waiting-approval')
    return `is ${status}, not waiting for an approval: approve once \`threader status\` shows waiting-approval`;
  return undefined;
}

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
      .action(async (id: string, flags: ControlFlags) => {
        const spec = await loadDeploySpec(flags.config);
        const store = await openStore(spec, flags.stateDb);
        try {
          const record = await store.get(id);
          if (!record) throw new UsageError(`no deploy ${id}`);
          const refused = controlRefusal(action, record.status);
          if (refused) throw new UsageError(`deploy ${id} ${refused}`);
          const by = flags.by || currentActor(process.env);
          await store.requestControl(
            id,
            { action, by, ...(flags.reason ? { reason: flags.reason } : {}) },
            Date.now(),
          );
          const live = ownerLiveness(record.owner, Date.now(), { host: hostname(), pidAlive });
          const note = live.alive
            ? `its executor (pid ${record.owner?.pid} on ${record.owner?.host}) acts on it within a second`
            : `but ${live.why}: it takes effect when \`threader deploy --resume ${id} --config ${flags.config}\` runs`;
          if (flags.json)
            process.stdout.write(
              `${JSON.stringify({ id, action, by, status: record.status, executorAlive: live.alive })}\n`,
            );
          else process.stdout.write(`${action} requested for deploy ${id} (${record.status}); ${note}\n`);
        } finally {
          await store.close();
        }
      });
  }
}
