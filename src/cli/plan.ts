import type { Command } from 'commander';
import type { StrategyName } from '../deploy/types.js';
import { UsageError } from '../errors.js';
import { checked } from './option-args.js';

export interface PlanFlags {
  config: string;
  env: string;
  to?: string;
  version?: string;
  strategy?: string;
  json?: boolean;
  stateDb?: string;
  observe?: boolean;
}

export const STRATEGIES: readonly StrategyName[] = ['rolling', 'canary', 'blue-green'];

/** `--strategy`: one of the planners (empty keeps the environment's, as in the action). */
export function parseStrategy(text: string): StrategyName | undefined {
  if (!text) return undefined;
  const strategy = STRATEGIES.find((s) => s === text);
  if (!strategy) throw new UsageError(`--strategy: "${text}" must be one of ${STRATEGIES.join(', ')}`);
  return strategy;
}

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
    .option(
      '--strategy <s>',
      `override the environment's strategy (${STRATEGIES.join(', ')})`,
      checked(parseStrategy),
    )
    .option('--state-db <path>', 'deploy records (default: stateDb of the config; missing = empty fleet)')
    .option('--json', 'print the plan (and the fleet it starts from) as JSON')
    .option(
      '--observe',
      'plan from what the drivers and nginx report now, not the records (automatic after a failed deploy)',
    )
    // The planner and the spec schema load only when plan runs.
    .action(async (positional: string | undefined, flags: PlanFlags) =>
      (await import('./plan-action.js')).runPlan(positional, flags),
    );
}
