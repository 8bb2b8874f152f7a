import type { RetryPolicy } from './policy.js';
import { retry, RetryExhaustedError, sleep as realSleep, type GiveUpReason } from './retry.js';
import { startAttempt, type AttemptResult, type CommandSpec, type RunningAttempt } from './attempt.js';

export interface CommandAttemptReport {
  attempt: number;
  attempts: number;
  result: AttemptResult;
  /** Wait before the next attempt; undefined when no further attempt follows. */
  nextDelayMs?: number;
}

export interface CommandRetryOptions {
  policy: RetryPolicy;
  /** Per-attempt timeout: the attempt's process tree is killed and the attempt counts as exit 124. */
  timeoutMs?: number;
  /** Overall budget from the start of the run: no attempt starts after it, a running one is killed. */
  deadlineMs?: number;
  /** Exit codes worth another attempt; default: every non-zero code. */
  retryOn?: ReadonlySet<number>;
  killGraceMs?: number;
  onAttempt?: (report: CommandAttemptReport) => void;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface CommandRetryOutcome {
  /** The exit code `threader retry` should end with: 0, or the last attempt's own code. */
  exitCode: number;
  attempts: number;
  reason: 'success' | GiveUpReason;
  last: AttemptResult;
}

export interface CommandRun {
  outcome: Promise<CommandRetryOutcome>;
  /**
   * Forward a signal to the running attempt's process tree and stop retrying. True when an attempt
   * was running to receive it (its own exit code then tells how it took the signal).
   */
  signal(signal: NodeJS.Signals): boolean;
}

class AttemptFailed extends Error {
  constructor(readonly result: AttemptResult) {
    super(`exit code ${result.exitCode}`);
  }
}

/**
 * `threader retry` as a library: runs the command under THE retry loop (retry.ts), one child
 * process per attempt, and maps the outcome to the exit code the original script should have
 * returned (the command's own, never a blanket 1).
 */
export function retryCommand(spec: CommandSpec, opts: CommandRetryOptions): CommandRun {
  const now = opts.now ?? Date.now;
  const deadline = opts.deadlineMs !== undefined ? now() + opts.deadlineMs : undefined;
  const stop = new AbortController();
  let current: RunningAttempt | undefined;
  let attemptsRun = 0;

  const runOnce = async (attempt: number): Promise<AttemptResult> => {
    attemptsRun = attempt;
    const budgets = [opts.timeoutMs, deadline !== undefined ? deadline - now() : undefined];
    const timeoutMs = budgets
      .filter((b): b is number => b !== undefined)
      .reduce((a, b) => Math.min(a, b), Infinity);
    current = startAttempt(spec, {
      timeoutMs: Number.isFinite(timeoutMs) ? timeoutMs : undefined,
      killGraceMs: opts.killGraceMs,
      now,
    });
    const result = await current.done;
    current = undefined;
    if (result.exitCode === 0) {
      opts.onAttempt?.({ attempt, attempts: opts.policy.attempts, result });
      return result;
    }
    throw new AttemptFailed(result);
  };

  const outcome = (async (): Promise<CommandRetryOutcome> => {
    try {
      const last = await retry(runOnce, {
        policy: opts.policy,
        deadline,
        now,
        sleep: opts.sleep ?? realSleep,
        random: opts.random,
        signal: stop.signal,
        retryable: (err) =>
          err instanceof AttemptFailed && (opts.retryOn ? opts.retryOn.has(err.result.exitCode) : true),
        onAttempt: (r) => {
          if (!r.ok && r.error instanceof AttemptFailed) {
            opts.onAttempt?.({
              attempt: r.attempt,
              attempts: opts.policy.attempts,
              result: r.error.result,
              nextDelayMs: r.nextDelayMs,
            });
          }
        },
      });
      return { exitCode: 0, attempts: attemptsRun, reason: 'success', last };
    } catch (err) {
      if (err instanceof RetryExhaustedError && err.lastError instanceof AttemptFailed) {
        const last = err.lastError.result;
        return { exitCode: last.exitCode, attempts: err.attempts, reason: err.reason, last };
      }
      throw err;
    }
  })();

  return {
    outcome,
    signal: (sig) => {
      stop.abort(new Error(`received ${sig}`));
      current?.kill(sig);
      return current !== undefined;
    },
  };
}
