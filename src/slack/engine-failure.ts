import type { OutboxItem, ThreadRecord } from '../store/types.js';
import type { ThreadEngineDeps } from './engine-types.js';
import type { FailurePlan } from './failure-plan.js';

/**
 * What operators see of a failed Slack call the engine keeps or gives up (failure-plan.ts decided
 * which): one log line whose level says whether a person must act, and the delivery metrics.
 */
export function reportFailure(
  deps: Pick<ThreadEngineDeps, 'logger' | 'metrics'>,
  item: OutboxItem,
  thread: ThreadRecord<unknown>,
  method: string,
  plan: FailurePlan,
  now: number,
): void {
  const { logger, metrics } = deps;
  const { error, retryAt } = plan.outcome;
  metrics?.slackCalls.inc({ method, result: error });
  const log = {
    thread: thread.threadKey,
    threadId: thread.id,
    outboxId: item.id,
    channel: item.channel,
    method,
    error,
  };
  const retryIn = { retryInMs: retryAt - now, attempt: item.attempts };
  if (plan.pauseUntil !== undefined) {
    metrics?.slackRateLimited.inc({ method });
    metrics?.slackRetryAfter.inc({ method }, (plan.pauseUntil - now) / 1000);
  }
  if (plan.kind === 'permanent') metrics?.deliveryFailures.inc({ error });
  if (plan.kind === 'rate_limited') logger?.warn({ ...log, ...retryIn }, 'Slack rate limited this channel');
  else if (plan.kind === 'blocked')
    logger?.error({ ...log, ...retryIn }, 'Slack refused the call until a person fixes it; keeping it');
  else if (plan.kind === 'permanent') logger?.error(log, 'Slack refused the message; not retrying');
  else logger?.warn({ ...log, ...retryIn }, 'Slack call failed; will retry');
}
