import { describe, expect, it } from 'vitest';
import { resolveIntOrPercent, resolveSurge, rollingBatchSize } from './surge.js';
import type { IntOrPercent } from './types.js';

/** The N = 1..10 table at the 25 %/25 % defaults (docs/deploy.md carries the same, checked by plan-format.test.ts). */
const SURGE_TABLE_25: Array<{ n: number; surge: number; unavailable: number; batch: number }> = [
  { n: 1, surge: 1, unavailable: 0, batch: 1 },
  { n: 2, surge: 1, unavailable: 0, batch: 1 },
  { n: 3, surge: 1, unavailable: 0, batch: 1 },
  { n: 4, surge: 1, unavailable: 1, batch: 1 },
  { n: 5, surge: 2, unavailable: 1, batch: 1 },
  { n: 6, surge: 2, unavailable: 1, batch: 1 },
  { n: 7, surge: 2, unavailable: 1, batch: 1 },
  { n: 8, surge: 2, unavailable: 2, batch: 2 },
  { n: 9, surge: 3, unavailable: 2, batch: 2 },
  { n: 10, surge: 3, unavailable: 2, batch: 2 },
];

describe('surge math at the 25 %/25 % defaults', () => {
  it.each(SURGE_TABLE_25)(
    'with $n instances surge is $surge, unavailable $unavailable and a batch is $batch',
    ({ n, surge, unavailable, batch }) => {
      const r = resolveSurge(n);
      expect(r).toEqual({ surge, unavailable });
      expect(rollingBatchSize(r, n)).toBe(batch);
    },
  );
});

describe('surge math edge cases', () => {
  const cases: Array<{ name: string; n: number; s: IntOrPercent; u: IntOrPercent; want: [number, number] }> =
    [
      { name: 'both percentages resolving to 0 make unavailable 1', n: 3, s: '0%', u: '25%', want: [0, 1] },
      {
        name: 'surge 0 and unavailable 10% of 5 resolve to unavailable 1',
        n: 5,
        s: 0,
        u: '10%',
        want: [0, 1],
      },
      { name: 'absolute values are taken as written', n: 10, s: 3, u: 4, want: [3, 4] },
      { name: 'an absolute unavailable of 0 with surge 1 stays 0', n: 4, s: 1, u: 0, want: [1, 0] },
      { name: '100% unavailable takes every instance', n: 6, s: '0%', u: '100%', want: [0, 6] },
      {
        name: '7% of 100 is exactly 7 both ways, not 8 from float noise',
        n: 100,
        s: '7%',
        u: '7%',
        want: [7, 7],
      },
      {
        name: '33% of 3 rounds surge up to 1 and unavailable down to 0',
        n: 3,
        s: '33%',
        u: '33%',
        want: [1, 0],
      },
      { name: 'fractional percentages work', n: 8, s: '12.5%', u: '12.5%', want: [1, 1] },
    ];
  it.each(cases)('$name', ({ n, s, u, want }) => {
    expect(resolveSurge(n, s, u)).toEqual({ surge: want[0], unavailable: want[1] });
  });

  it('rounds a percentage up for surge and down for unavailable', () => {
    expect(resolveIntOrPercent('30%', 5, 'up')).toBe(2);
    expect(resolveIntOrPercent('30%', 5, 'down')).toBe(1);
  });

  it('a batch never exceeds the instances left to update', () => {
    expect(rollingBatchSize({ surge: 0, unavailable: 5 }, 2)).toBe(2);
  });
});
