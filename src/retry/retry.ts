import type { RetryPolicy } from './policy.js';
import { backoffDelay } from './policy.js';

export interface AttemptReport<T> {
  attempt: number;
  ok: boolean;
  value?: T;
  error?: unknown;
  durationMs: number;
  /** Wait before the next attempt, undefined when this was the last one. */
  nextDelayMs?: number;
}

export interface RetryOptions<T> {
  policy: RetryPolicy;
  /** Decide whether a failure is worth another attempt; default: every failure is. */
  retryable?: (error: unknown) => boolean;
  /** Overrides the backoff delay for one failure (e.g. Slack's Retry-After). */
  delayOverrideMs?: (error: unknown) => number | undefined;
  onAttempt?: (report: AttemptReport<T>) => void;
  /** Absolute deadline (ms since epoch, same clock as `now`): no attempt starts after it. */
  deadline?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  signal?: AbortSignal;
}

export type GiveUpReason = 'attempts' | 'deadline' | 'not_retryable' | 'aborted';

export class RetryExhaustedError extends Error {
  constructor(
    readonly lastError: unknown,
    readonly attempts: number,
    readonly reason: GiveUpReason,
  ) {
    super(
      `gave up after ${attempts} attempt(s) (${reason}): ${lastError instanceof Error ? lastError.message : String(lastError)}`,
    );
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function giveUpReason(aborted: boolean, retryable: boolean, last: boolean): GiveUpReason {
  if (aborted) return 'aborted';
  if (!retryable) return 'not_retryable';
  return last ? 'attempts' : 'deadline';
}

/**
 * THE retry loop. Runs `fn` until it resolves or the policy, deadline or signal says stop.
 * Every way of giving up ends in RetryExhaustedError carrying the last attempt's error, so
 * callers (e.g. `threader retry`, which must exit with the command's own code) can report it.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions<T>): Promise<T> {
  const now = opts.now ?? Date.now;
  const wait = opts.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    const started = now();
    try {
      const value = await fn(attempt);
      opts.onAttempt?.({ attempt, ok: true, value, durationMs: now() - started });
      return value;
    } catch (error) {
      const durationMs = now() - started;
      const retryable = opts.retryable ? opts.retryable(error) : true;
      const last = attempt >= opts.policy.attempts;
      let delay = opts.delayOverrideMs?.(error) ?? backoffDelay(opts.policy, attempt, opts.random);
      const pastDeadline = opts.deadline !== undefined && now() + delay >= opts.deadline;
      const aborted = opts.signal?.aborted === true;
      const stop = !retryable || last || pastDeadline || aborted;
      if (stop) delay = 0;
      opts.onAttempt?.({ attempt, ok: false, error, durationMs, nextDelayMs: stop ? undefined : delay });
      if (stop) throw new RetryExhaustedError(error, attempt, giveUpReason(aborted, retryable, last));
      try {
        await wait(delay, opts.signal);
      } catch {
        // Only an abort interrupts the wait; the attempt's error is what the caller needs.
        throw new RetryExhaustedError(error, attempt, 'aborted');
      }
      if (opts.signal?.aborted) throw new RetryExhaustedError(error, attempt, 'aborted');
    }
  }
}
