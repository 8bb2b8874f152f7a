import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { isAppError, UsageError } from '../errors.js';
import { createDriver, createRouter } from '../deploy/compose.js';
import { observationReason, observeFleet } from '../deploy/fleet-observe.js';
import { fleetStateFrom } from '../deploy/fleet-state.js';
import { planDeploy } from '../deploy/plan.js';
import { formatPlan } from '../deploy/plan-format.js';
import { loadDeploySpec } from '../deploy/spec.js';
import type { DeployRecord, StrategyName } from '../deploy/types.js';
import { openDeployStore } from '../store/deploy-sqlite.js';
import { pickVersion } from './deploy-run.js';

interface PlanFlags {
  config: string;
  env: string;
  to?: string;
  version?: string;
  strategy?: string;
  json?: boolean;
  stateDb?: string;
  observe?: boolean;
}

const STRATEGIES: readonly StrategyName[] = ['rolling', 'canary', 'blue-green'];

/**
 * `threader plan`: what `threader deploy` would do, changing nothing. Exit codes follow
 * `kubectl diff`: 0 nothing would change, 1 something would, 2 or more an error (2 usage/config,
 * 3 anything else, e.g. an unreadable state database) — so a pipeline can tell "changes" from "broken".
 * The fleet comes from the last succeeded deploy in the state database; a database that does not
 * exist yet means an empty fleet (and is not created: planning writes nothing). After a failed
 * deploy, or with --observe, it is read from the drivers and nginx instead, and the plan says so.
 */
export function register(program: Command): void {
  program
    .command('plan')
    .summary('print the steps a deploy would take (exit 0 no change, 1 changes, 2+ error)')
    .requiredOption('--config <file>', 'deploy config (YAML)')
    .requiredOption('--env <name>', 'environment')
    .argument('[version]', 'version to plan for (or --version / --to)')
    .option('--version <v>', 'version to plan for')
    .option('--to <v>', 'version to plan for (same as --version)')
    .option('--strategy <s>', `override the environment's strategy (${STRATEGIES.join(', ')})`)
    .option('--state-db <path>', 'deploy records (default: stateDb of the config; missing = empty fleet)')
    .option('--json', 'print the plan (and the fleet it starts from) as JSON')
    .option(
      '--observe',
      'plan from what the drivers and nginx report now, not the records (automatic after a failed deploy)',
    )
    .action(async (positional: string | undefined, flags: PlanFlags) => {
      const version = pickVersion(positional, flags);
      if (!version)
        throw new UsageError(
          'the version to plan for is required (threader plan --config F --env E VERSION)',
        );
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
        const fleet = observed
          ? await observeFleet(env, createDriver(env), createRouter(env))
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
    });
}

/** The last succeeded and the newest deploy of the environment (none without a database). */
async function records(
  path: string | undefined,
  env: string,
): Promise<{ last: DeployRecord | null; newest: DeployRecord | null }> {
  if (!path || !existsSync(path)) return { last: null, newest: null };
  const store = await openDeployStore(path);
  try {
    const [newest] = await store.list({ env, limit: 1 });
    return { last: await store.lastSucceeded(env), newest: newest ?? null };
  } finally {
    await store.close();
  }
}
