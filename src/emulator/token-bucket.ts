/**
 * A pure token bucket. Slack documents its limits as "N per minute/second, bursts tolerated"
 * (https://docs.slack.dev/apis/web-api/rate-limits); a bucket of `burst` tokens refilled at
 * `ratePerSec` is the simplest model with both properties.
 */
export interface BucketConfig {
  ratePerSec: number;
  burst: number;
}

export interface BucketState {
  tokens: number;
  updatedAtMs: number;
}

export type TakeResult =
  { allowed: true; state: BucketState } | { allowed: false; state: BucketState; retryAfterSec: number };

export function fullBucket(config: BucketConfig, nowMs: number): BucketState {
  return { tokens: config.burst, updatedAtMs: nowMs };
}

export function refill(state: BucketState, config: BucketConfig, nowMs: number): BucketState {
  // A clock that steps backwards must not mint tokens.
  const elapsedMs = Math.max(0, nowMs - state.updatedAtMs);
  const tokens = Math.min(config.burst, state.tokens + (elapsedMs / 1000) * config.ratePerSec);
  return { tokens, updatedAtMs: Math.max(nowMs, state.updatedAtMs) };
}

/**
 * Takes one token if there is one. When there is none, Retry-After is the whole number of seconds
 * until one token has refilled, never less than 1 (Slack's header carries integer seconds).
 */
export function takeToken(state: BucketState | undefined, config: BucketConfig, nowMs: number): TakeResult {
  const current = refill(state ?? fullBucket(config, nowMs), config, nowMs);
  if (current.tokens >= 1) return { allowed: true, state: { ...current, tokens: current.tokens - 1 } };
  const missing = 1 - current.tokens;
  const retryAfterSec = Math.max(1, Math.ceil(missing / config.ratePerSec - 1e-9));
  return { allowed: false, state: current, retryAfterSec };
}
