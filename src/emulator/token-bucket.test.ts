import { describe, expect, it } from 'vitest';
import { type BucketConfig, type BucketState, takeToken } from './token-bucket.js';

const perSecond: BucketConfig = { ratePerSec: 1, burst: 3 };
const tier3: BucketConfig = { ratePerSec: 50 / 60, burst: 10 };

/** Runs takes at the given times and returns which were allowed (or the Retry-After when not). */
function run(config: BucketConfig, times: number[]): Array<true | number> {
  let state: BucketState | undefined;
  return times.map((t) => {
    const r = takeToken(state, config, t);
    state = r.state;
    return r.allowed ? true : r.retryAfterSec;
  });
}

describe('takeToken', () => {
  it.each<[string, BucketConfig, number[], Array<true | number>]>([
    [
      'allows a burst of three posts at once, then asks to wait one second',
      perSecond,
      [0, 0, 0, 0],
      [true, true, true, 1],
    ],
    [
      'allows one post per second forever once the burst is spent',
      perSecond,
      [0, 0, 0, 1000, 2000, 3000],
      [true, true, true, true, true, true],
    ],
    [
      'refuses a second post within the same second after the burst',
      perSecond,
      [0, 0, 0, 1000, 1500],
      [true, true, true, true, 1],
    ],
    [
      'refills the whole burst after a quiet spell',
      perSecond,
      [0, 0, 0, 10_000, 10_000, 10_000, 10_000],
      [true, true, true, true, true, true, 1],
    ],
    [
      'never refills more than the burst',
      perSecond,
      [0, 60_000, 60_000, 60_000, 60_000],
      [true, true, true, true, 1],
    ],
    [
      'makes a Tier 3 caller wait two seconds for the next token after ten at once',
      tier3,
      Array.from({ length: 11 }, () => 0),
      [...Array.from({ length: 10 }, () => true as const), 2],
    ],
    [
      'does not mint tokens when the clock steps backwards',
      perSecond,
      [10_000, 10_000, 10_000, 5_000],
      [true, true, true, 1],
    ],
  ])('%s', (_name, config, times, expected) => {
    expect(run(config, times)).toEqual(expected);
  });

  it('rounds Retry-After up to whole seconds and never answers zero', () => {
    const slow: BucketConfig = { ratePerSec: 0.25, burst: 1 };
    expect(run(slow, [0, 0])).toEqual([true, 4]);
    expect(run(slow, [0, 3_999])).toEqual([true, 1]);
  });
});
