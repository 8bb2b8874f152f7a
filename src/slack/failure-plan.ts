import { backoffDelay, type RetryPolicy } from '../retry/policy.js';
import type { OutboxFailure, OutboxItem } from '../store/types.js';
import type { SlackErrorClass } from './classify.js';

export interface FailureTimings {
  policy: RetryPolicy;
  /** Wait before looking up a post we stopped waiting for (the client timeout). */
  uncertainGraceMs: number;
  /** Wait after a refusal a person must fix (token, scope, channel). */
  blockedRetryMs: number;
}

export type FailureKind = 'rate_limited' | 'blocked' | 'permanent' | 'retry';

export interface FailurePlan {
  kind: FailureKind;
  /** What the outbox row becomes. */
  outcome: OutboxFailure;
  /** Rate limited: pause this channel and method until then. */
  pauseUntil?: number;
}

/**
 * What to do after a failed Slack call — pure, so every branch has a table test. Nothing accepted
 * is ever dropped for a reason someone can fix or that passes by itself; only a message Slack
 * refuses as such (too long, malformed) is given up.
 */
export function planFailure(
  item: OutboxItem,
  c: SlackErrorClass,
  now: number,
  t: FailureTimings,
): FailurePlan {
  const backoff = backoffDelay(t.policy, item.attempts + 1);
  const keep = (retryAt: number, uncertain = item.uncertain): OutboxFailure => ({
    error: c.error,
    retryAt,
    uncertain,
    dead: false,
  });
  if (c.retryAfterMs !== undefined) {
    return { kind: 'rate_limited', outcome: keep(now + c.retryAfterMs), pauseUntil: now + c.retryAfterMs };
  }
  if (c.blocked) return { kind: 'blocked', outcome: keep(now + Math.max(backoff, t.blockedRetryMs)) };
  if (c.permanent) {
    return { kind: 'permanent', outcome: { error: c.error, retryAt: now, uncertain: false, dead: true } };
  }
  // A post we stopped waiting for (timeout) may still be in Slack's hands: it is looked up only after
  // a grace period, or the lookup would find nothing and we would post it twice. After a 5xx or a
  // dropped connection Slack is done with the request, so the lookup can come soon. Edits are
  // idempotent and never need a lookup.
  const uncertainPost = c.uncertain && item.kind !== 'update_parent';
  const delay = uncertainPost && c.error === 'timeout' ? Math.max(backoff, t.uncertainGraceMs) : backoff;
  return { kind: 'retry', outcome: keep(now + delay, item.uncertain || uncertainPost) };
}
