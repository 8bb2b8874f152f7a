import { describe, it, expect } from 'vitest';
import { formatAttempt, formatOutcome } from './format.js';

const ok = { exitCode: 0, timedOut: false, durationMs: 40 };

describe('formatAttempt', () => {
  it.each([
    [
      'a success names the attempt and its duration',
      { attempt: 2, attempts: 3, result: ok },
      'attempt 2/3 succeeded after 40ms',
    ],
    [
      'a failure gives the exit code and the next wait',
      { attempt: 1, attempts: 3, result: { ...ok, exitCode: 3, durationMs: 1_200 }, nextDelayMs: 5_000 },
      'attempt 1/3 failed after 1s: exit code 3; next attempt in 5s',
    ],
    [
      'a signal death names the signal',
      { attempt: 3, attempts: 3, result: { ...ok, exitCode: 137, signal: 'SIGKILL' as const } },
      'attempt 3/3 failed after 40ms: killed by SIGKILL (exit 137); no more attempts',
    ],
    [
      'a timeout says the tree was killed',
      { attempt: 1, attempts: 1, result: { ...ok, exitCode: 124, timedOut: true } },
      'attempt 1/1 failed after 40ms: timed out, process tree killed (exit 124); no more attempts',
    ],
  ])('%s', (_name, report, expected) => {
    expect(formatAttempt(report)).toBe(expected);
  });
});

describe('formatOutcome', () => {
  it('says why it gave up and which code it exits with', () => {
    expect(
      formatOutcome({ exitCode: 3, attempts: 3, reason: 'attempts', last: { ...ok, exitCode: 3 } }),
    ).toBe('giving up after 3 attempt(s), all attempts failed: exiting with 3');
  });
});
