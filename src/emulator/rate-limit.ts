/**
 * Slack's documented limits as token buckets (protocol: docs.slack.dev/apis/web-api/rate-limits).
 * chat.postMessage: "1 per second per channel, short bursts >1 allowed" (burst 3 here);
 * Tier 3 "50+ per minute, sporadic bursts welcome"; Tier 4 "100+ per minute, generous bursts".
 * Slack counts "per API method per workspace per app", so non-channel methods share one bucket.
 */
import type { RateLimitRule, RateLimitTable } from './types.js';
import { type BucketState, takeToken } from './token-bucket.js';

const TIER_3: RateLimitRule = { perChannel: false, ratePerSec: 50 / 60, burst: 10 };
const TIER_4: RateLimitRule = { perChannel: false, ratePerSec: 100 / 60, burst: 20 };

export const DEFAULT_RATE_LIMITS: RateLimitTable = {
  'chat.postMessage': { perChannel: true, ratePerSec: 1, burst: 3 },
  'chat.update': TIER_3,
  'chat.delete': TIER_3,
  'chat.getPermalink': TIER_3,
  'reactions.add': TIER_3,
  'conversations.history': TIER_3,
  'conversations.replies': TIER_3,
  'auth.test': TIER_4,
};

/** Merges user overrides into the defaults; `'off'` removes a method's (or every) limit. */
export function resolveRateLimits(
  option: 'off' | Record<string, RateLimitRule | 'off'> | undefined,
): RateLimitTable {
  if (option === 'off') return {};
  const table: RateLimitTable = { ...DEFAULT_RATE_LIMITS };
  for (const [method, rule] of Object.entries(option ?? {})) {
    if (rule === 'off') delete table[method];
    else table[method] = rule;
  }
  return table;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSec: number };

export class RateLimiter {
  private readonly buckets = new Map<string, BucketState>();

  constructor(private readonly table: RateLimitTable) {}

  take(method: string, channel: string | undefined, nowMs: number): RateDecision {
    const rule = this.table[method];
    if (!rule) return { allowed: true };
    const key = rule.perChannel ? `${method}\u0000${channel ?? ''}` : method;
    const result = takeToken(this.buckets.get(key), rule, nowMs);
    this.buckets.set(key, result.state);
    return result.allowed ? { allowed: true } : { allowed: false, retryAfterSec: result.retryAfterSec };
  }

  rules(): RateLimitTable {
    return { ...this.table };
  }

  reset(): void {
    this.buckets.clear();
  }
}
