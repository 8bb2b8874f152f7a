import { parseDuration } from '../config/duration.js';
import { UsageError } from '../errors.js';
import { parseThreadRef, type ThreadRef } from '../slack/thread-ref.js';

/**
 * The deploy commands' Slack flags, pure and light: the CLI checks them while the command line is
 * parsed (cli/deploy.ts, option-args.ts) and narrationPlan reads them again in the action, with one set of rules.
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
