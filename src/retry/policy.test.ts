import { describe, it, expect } from 'vitest';
import { backoffDelay, policies, type RetryPolicy } from './policy.js';

const original: RetryPolicy = { attempts: 5, baseMs: 5_000, maxDelayMs: 3_600_000, jitter: 'none' };

describe('backoffDelay', () => {
  it.each([
    ['waits the base after the first failure', original, 1, 5_000],
    ['doubles the wait after the second failure', original, 2, 10_000],
    ['waits base·2^(i−1) after the fourth failure', original, 4, 40_000],
    ['never waits longer than the maximum delay', { ...original, maxDelayMs: 15_000 }, 4, 15_000],
    ['waits nothing with a zero base', { ...original, baseMs: 0 }, 3, 0],
  ])('%s', (_name, policy, attempt, expected) => {
    expect(backoffDelay(policy, attempt)).toBe(expected);
  });

  it('draws full jitter uniformly below the capped delay', () => {
    const jittered: RetryPolicy = { ...original, jitter: 'full' };
    expect(backoffDelay(jittered, 2, () => 0)).toBe(0);
    expect(backoffDelay(jittered, 2, () => 0.5)).toBe(5_000);
    expect(backoffDelay(jittered, 2, () => 0.999999)).toBeLessThan(10_000);
  });

  it('gives the instant policy no waits at all', () => {
    for (let i = 1; i <= policies.instant.attempts; i++) expect(backoffDelay(policies.instant, i)).toBe(0);
  });
});
