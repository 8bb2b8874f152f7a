/**
 * THE retry policy of the project: exponential backoff, delay after attempt i = base·2^(i−1)
 * (the original retry_backoff.sh rule), capped at maxDelayMs, optionally with full jitter
 * (uniform in [0, delay), AWS "full jitter"). Everything that retries — `threader retry`,
 * Slack delivery, deploy steps — takes one of these objects.
 */
export interface RetryPolicy {
  /** Total attempts including the first one (>= 1). */
  attempts: number;
  baseMs: number;
  maxDelayMs: number;
  jitter: 'full' | 'none';
}

/** Milliseconds to wait after failed attempt `attempt` (1-based) before the next one. */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exp = policy.baseMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(exp, policy.maxDelayMs);
  if (policy.jitter === 'none') return capped;
  return Math.floor(random() * capped);
}

/** Named policies used across the project; `instant` is for tests (no waiting at all). */
export const policies = {
  instant: { attempts: 5, baseMs: 0, maxDelayMs: 0, jitter: 'none' },
  /** Slack delivery: many attempts, since nothing accepted may be lost; 5xx and network errors. */
  slack: { attempts: 12, baseMs: 500, maxDelayMs: 60_000, jitter: 'full' },
  /** Deploy steps that may flake: nginx reload, health probes, driver commands. */
  deployStep: { attempts: 3, baseMs: 1_000, maxDelayMs: 10_000, jitter: 'full' },
  /** Metric queries inside one analysis sample. */
  metricQuery: { attempts: 2, baseMs: 200, maxDelayMs: 1_000, jitter: 'full' },
} as const satisfies Record<string, RetryPolicy>;
