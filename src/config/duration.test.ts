import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['a bare number is seconds, like the original scripts', '15', 15_000],
    ['milliseconds are exact', '500ms', 500],
    ['seconds', '5s', 5_000],
    ['minutes', '2m', 120_000],
    ['compound durations add up', '1h30m', 5_400_000],
    ['days', '1d', 86_400_000],
    ['fractions are allowed', '1.5s', 1_500],
  ])('%s (%s)', (_name, text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['empty text', ''],
    ['an unknown unit', '5y'],
    ['trailing garbage', '5m!'],
    ['a negative number', '-5s'],
  ])('rejects %s', (_name, text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [-5, '0s'],
    [250, '250ms'],
    [3 * 3_600_000, '3h'],
    [12_000, '12s'],
    [3_900_000, '1h 5m'],
    [90_061_000, '1d 1h'],
  ])('%i ms reads as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
