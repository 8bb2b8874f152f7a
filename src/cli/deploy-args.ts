import { parseDuration } from '../config/duration.js';
import type { StrategyName } from '../deploy/types.js';
import { UsageError } from '../errors.js';
import { parseThreadRef, type ThreadRef } from '../slack/thread-ref.js';
import { STRATEGIES } from './plan.js';

/**
 * The values of `threader deploy` / `rollback` flags, checked as the command line is parsed (see
 * option-args.ts). Pure and light: registering the commands must not load the narrator, the
 * executor or the guard. The rules are narrationPlan's (notify/deploy-slack.ts) and runDeploy's,
 * which check the same flags again in the action.
 */

/** `--slack-wait`: a duration, 0 allowed (do not wait). */
export function parseSlackWait(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 0)
    throw new UsageError(`--slack-wait: "${text}" is not a duration (e.g. 30s, 2m, 0)`);
  return ms;
}

/**
 * `--slack-thread`: a thread reference, or empty — the pipeline's `--slack-thread
 * "$THREADER_SLACK_THREAD"` when no thread could be opened, which narrates in a new thread.
 */
export function parseSlackThreadFlag(text: string): ThreadRef | undefined {
  return text ? parseThreadRef(text, '--slack-thread') : undefined;
}

/** `--strategy`: one of the planners (empty keeps the environment's, as in the action). */
export function parseStrategy(text: string): StrategyName | undefined {
  if (!text) return undefined;
  const strategy = STRATEGIES.find((s) => s === text);
  if (!strategy) throw new UsageError(`--strategy: "${text}" must be one of ${STRATEGIES.join(', ')}`);
  return strategy;
}
