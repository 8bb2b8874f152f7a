import { formatDuration } from '../config/duration.js';
import type { CommandAttemptReport, CommandRetryOutcome } from './command-retry.js';
import type { AttemptResult } from './attempt.js';

/** "exit code 3", "killed by SIGKILL (exit 137)", "timed out (exit 124)", "could not start: ENOENT …". */
export function describeResult(r: AttemptResult): string {
  if (r.spawnError) return `could not start (${r.spawnError}) (exit ${r.exitCode})`;
  if (r.timedOut) return `timed out, process tree killed (exit ${r.exitCode})`;
  if (r.signal) return `killed by ${r.signal} (exit ${r.exitCode})`;
  return `exit code ${r.exitCode}`;
}

/** One stderr line per attempt: attempt n/N, exit code or signal, duration, next wait. */
export function formatAttempt(r: CommandAttemptReport): string {
  const head = `attempt ${r.attempt}/${r.attempts}`;
  const took = formatDuration(r.result.durationMs);
  if (r.result.exitCode === 0) return `${head} succeeded after ${took}`;
  const next =
    r.nextDelayMs === undefined ? 'no more attempts' : `next attempt in ${formatDuration(r.nextDelayMs)}`;
  return `${head} failed after ${took}: ${describeResult(r.result)}; ${next}`;
}

const WHY: Record<CommandRetryOutcome['reason'], string> = {
  success: 'succeeded',
  attempts: 'all attempts failed',
  deadline: 'the deadline left no time for another attempt',
  not_retryable: 'the exit code is not in --retry-on',
  aborted: 'stopped by a signal',
};

export function formatOutcome(o: CommandRetryOutcome): string {
  if (o.reason === 'success') return `succeeded on attempt ${o.attempts}`;
  return `giving up after ${o.attempts} attempt(s), ${WHY[o.reason]}: exiting with ${o.exitCode}`;
}
