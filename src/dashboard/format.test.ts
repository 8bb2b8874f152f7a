import { describe, expect, it } from 'vitest';
import { formatAge, formatTime } from './format.js';

describe('formatAge', () => {
  const cases: Array<[string, number, string]> = [
    ['under a minute shows seconds', 42_000, '42s'],
    ['a negative age (clock skew) shows as zero', -5_000, '0s'],
    ['minutes drop the seconds', 5 * 60_000 + 59_000, '5m'],
    ['hours show their minutes', 3 * 3_600_000 + 12 * 60_000, '3h 12m'],
    ['a round hour shows no minutes', 2 * 3_600_000, '2h'],
    ['days show their hours', 2 * 86_400_000 + 4 * 3_600_000, '2d 4h'],
  ];
  it.each(cases)('%s', (_name, ms, expected) => {
    expect(formatAge(ms)).toBe(expected);
  });
});

describe('formatTime', () => {
  it('writes UTC to the second', () => {
    expect(formatTime(Date.UTC(2026, 10, 26, 6, 1, 38, 500))).toBe('2026-11-26 06:01:38 UTC');
  });
});
