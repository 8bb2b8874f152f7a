import { backoffDelay, type RetryPolicy } from '../retry/policy.js';
import type { OutboxFailure, OutboxItem } from '../store/types.js';
import type { SlackErrorClass, SlackHeal } from './classify.js';

export interface FailureTimings {
  policy: RetryPolicy;
  /** Wait before looking up a post we stopped waiting for (the client timeout). */
  uncertainGraceMs: number;
  /** Wait after a refusal a person must fix (token, scope, channel). */
  blockedRetryMs: number;
  /** Where a thread goes when its channel is archived or gone (the configured default channel). */
  fallbackChannel?: string;
}

/** Where the thread lives now (the outbox row may predate a move). */
export interface FailureWhere {
  channel: string;
  /**
   * The call that failed was the fresh parent of a heal: a chat.postMessage whatever the row's
   * kind (an edit's row heals with a post). It is not healed again, and a lost answer means a
   * parent may be in Slack: looked up before any repost, like any post.
   */
  healing?: boolean;
}

export type FailureKind = 'rate_limited' | 'blocked' | 'permanent' | 'retry' | 'heal';

/** A self-healing move: post a fresh parent in `channel` (linking the old one) and continue there. */
export interface HealPlan {
  reason: SlackHeal;
  channel: string;
}

/** A thread that keeps losing its parent (a bot that may not edit anything) stops healing. */
export const MAX_HEAL_ATTEMPTS = 3;

export interface FailurePlan {
  kind: FailureKind;
  /** What the outbox row becomes. */
  outcome: OutboxFailure;
  /** Rate limited: pause this channel and method until then. */
  pauseUntil?: number;
  /** kind 'heal': where the fresh parent goes. `outcome` is what the row becomes if healing fails. */
  heal?: HealPlan;
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
  where: FailureWhere = { channel: item.channel },
): FailurePlan {
  const healed = where.healing ? undefined : planHeal(item, c, now, t, where);
  if (healed) return healed;
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
  const uncertainPost = c.uncertain && (item.kind !== 'update_parent' || where.healing === true);
  const delay = uncertainPost && c.error === 'timeout' ? Math.max(backoff, t.uncertainGraceMs) : backoff;
  return { kind: 'retry', outcome: keep(now + delay, item.uncertain || uncertainPost) };
}

/**
 * Self-healing instead of waiting for a person: a deleted parent (message_not_found on chat.update)
 * or one Slack will not let us edit (cant_update_message, edit_window_closed) is replaced by a fresh
 * parent in the same channel; an archived or missing channel sends the thread to the default
 * channel. A thread already in the default channel has nowhere to go: it stays blocked.
 */
function planHeal(
  item: OutboxItem,
  c: SlackErrorClass,
  now: number,
  t: FailureTimings,
  where: FailureWhere,
): FailurePlan | undefined {
  if (!c.heal || item.attempts > MAX_HEAL_ATTEMPTS) return undefined;
  const retryNow: OutboxFailure = { error: c.error, retryAt: now, uncertain: item.uncertain, dead: false };
  if (c.heal === 'parent_deleted' || c.heal === 'edit_refused') {
    if (item.kind !== 'update_parent') return undefined;
    return { kind: 'heal', outcome: retryNow, heal: { reason: c.heal, channel: where.channel } };
  }
  const fallback = t.fallbackChannel;
  if (!fallback || fallback === where.channel) return undefined;
  return { kind: 'heal', outcome: retryNow, heal: { reason: c.heal, channel: fallback } };
}
