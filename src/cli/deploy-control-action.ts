import { hostname } from 'node:os';
import { loadDeploySpec } from '../deploy/spec.js';
import { openStore } from '../deploy/compose.js';
import { ownerLiveness, pidAlive } from '../deploy/executor-start.js';
import type { ControlAction } from '../deploy/executor-types.js';
import { FINAL_STATUSES } from '../store/deploy-types.js';
import type { DeployStatus } from '../deploy/types.js';
import { currentActor } from '../guard/paths.js';
import { UsageError } from '../errors.js';
import type { ControlFlags } from './deploy-control.js';

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

/** Stores the request for the deploy's executor and says when it will act on it. */
export async function requestControl(action: ControlAction, id: string, flags: ControlFlags): Promise<void> {
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
}
