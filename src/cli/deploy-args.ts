import type { StrategyName } from '../deploy/types.js';
import { UsageError } from '../errors.js';
export { parseSlackThreadFlag, parseSlackWait } from '../notify/slack-flags.js';
import { STRATEGIES } from './plan.js';

/**
 * The values of `threader deploy` / `rollback` flags, checked as the command line is parsed (see
 * option-args.ts). Pure and light: registering the commands must not load the narrator, the
 * executor or the guard. The Slack flags' rules live in notify/slack-flags.ts, which narrationPlan
 * uses again in the action (values from the environment are checked only there).
 */

/** `--strategy`: one of the planners (empty keeps the environment's, as in the action). */
export function parseStrategy(text: string): StrategyName | undefined {
  if (!text) return undefined;
  const strategy = STRATEGIES.find((s) => s === text);
  if (!strategy) throw new UsageError(`--strategy: "${text}" must be one of ${STRATEGIES.join(', ')}`);
  return strategy;
}
