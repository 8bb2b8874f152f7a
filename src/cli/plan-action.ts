import { existsSync } from 'node:fs';
import { isAppError, UsageError } from '../errors.js';
import { observationReason, observeFleet } from '../deploy/fleet-observe.js';
import { fleetStateFrom } from '../deploy/fleet-state.js';
import { planDeploy } from '../deploy/plan.js';
import { formatPlan } from '../deploy/plan-format.js';
import { loadDeploySpec } from '../deploy/spec.js';
import type { DeployRecord, StrategyName } from '../deploy/types.js';
import { pickVersion } from './pick-version.js';
import { STRATEGIES, type PlanFlags } from './plan.js';

/** `threader plan`: prints the plan and sets the exit code (0 no change, 1 changes, 2+ error). */
export async function runPlan(positional: string | undefined, flags: PlanFlags): Promise<void> {
  const version = pickVersion(positional, flags);
  if (!version)
    throw new UsageError('the version to plan for is required (threader plan --config F --env E VERSION)');
  if (flags.strategy && !STRATEGIES.includes(flags.strategy as StrategyName))
    throw new UsageError(`--strategy must be one of ${STRATEGIES.join(', ')}`);
  try {
    const spec = await loadDeploySpec(flags.config);
    const env = spec.environments[flags.env];
    if (!env)
      throw new UsageError(
        `no environment "${flags.env}" in ${flags.config} (it has ${Object.keys(spec.environments).join(', ')})`,
      );
    const { last, newest } = await records(flags.stateDb ?? spec.stateDb, env.name);
    const observed = observationReason(newest, !!flags.observe);
    // Drivers, nginx and the metric providers load only when the fleet is observed.
    const compose = observed ? await import('../deploy/compose.js') : undefined;
    const fleet = compose
      ? await observeFleet(env, compose.createDriver(env), compose.createRouter(env))
      : fleetStateFrom(env, last);
    const planned = planDeploy(
      env,
      fleet,
      version,
      flags.strategy ? { strategy: flags.strategy as StrategyName } : {},
    );
    const plan = observed
      ? {
          ...planned,
          notes: [
            `fleet observed from the ${env.driver.type} driver and nginx: ${observed}`,
            ...(planned.notes ?? []),
          ],
        }
      : planned;
    if (flags.json)
      process.stdout.write(
        `${JSON.stringify({ changes: !plan.noop, lastDeploy: last?.id ?? null, fleetSource: observed ? 'observed' : 'records', fleet, plan }, null, 2)}\n`,
      );
    else process.stdout.write(formatPlan(plan, env));
    process.exitCode = plan.noop ? 0 : 1;
  } catch (err) {
    // Exit 1 means "changes" here, so no error may end with it.
    if (isAppError(err) && err.exitCode >= 2) throw err;
    process.stderr.write(`threader: ${(err as Error).message}\n`);
    process.exitCode = 3;
  }
}

/** The last succeeded and the newest deploy of the environment (none without a database). */
async function records(
  path: string | undefined,
  env: string,
): Promise<{ last: DeployRecord | null; newest: DeployRecord | null }> {
  if (!path || !existsSync(path)) return { last: null, newest: null };
  // better-sqlite3 (a native module) loads only when there is a database to read.
  const { openDeployStore } = await import('../store/deploy-sqlite.js');
  const store = await openDeployStore(path);
  try {
    const [newest] = await store.list({ env, limit: 1 });
    return { last: await store.lastSucceeded(env), newest: newest ?? null };
  } finally {
    await store.close();
  }
}
