import { describe, expect, it } from 'vitest';
import { formatTs, nextTsMicros, parseTs, permalinkSegment } from './ts-clock.js';

describe('nextTsMicros', () => {
  it.each([
    ['takes the clock when it is ahead of the last ts', 1_700_000_000_000, 0, 1_700_000_000_000_000],
    [
      'bumps by one microsecond when the clock stalls',
      1_700_000_000_000,
      1_700_000_000_000_000,
      1_700_000_000_000_001,
    ],
    [
      'bumps past the last ts when the clock steps back',
      1_699_999_999_000,
      1_700_000_000_000_005,
      1_700_000_000_000_006,
    ],
    ['drops sub-millisecond clock fractions', 1_700_000_000_000.9, 0, 1_700_000_000_000_000],
  ])('%s', (_name, nowMs, last, expected) => {
    expect(nextTsMicros(nowMs, last)).toBe(expected);
  });

  it('yields strictly increasing ts strings even with a frozen clock', () => {
    let last = 0;
    const seen: string[] = [];
    for (let i = 0; i < 1000; i++) {
      last = nextTsMicros(1_700_000_000_000, last);
      seen.push(formatTs(last));
    }
    expect(new Set(seen).size).toBe(1000);
    expect([...seen].sort()).toEqual(seen);
  });
});

describe('formatTs and parseTs', () => {
  it.each([
    ['formats seconds and six fraction digits', 1_700_000_000_000_100, '1700000000.000100'],
    ['pads a zero fraction', 1_700_000_000_000_000, '1700000000.000000'],
  ])('%s', (_name, micros, ts) => {
    expect(formatTs(micros)).toBe(ts);
    expect(parseTs(ts)).toBe(micros);
  });

  it.each([
    ['reads whole seconds', '1700000000', 1_700_000_000_000_000],
    ['reads a short fraction as tenths', '1700000000.5', 1_700_000_000_500_000],
    ['rejects words', 'yesterday', undefined],
    ['rejects more than six fraction digits', '1700000000.1234567', undefined],
    ['rejects an empty string', '', undefined],
  ])('%s', (_name, input, expected) => {
    expect(parseTs(input)).toBe(expected);
  });
});

describe('permalinkSegment', () => {
  it('drops the dot and prefixes p, as Slack permalinks do', () => {
    expect(permalinkSegment('1700000000.000100')).toBe('p1700000000000100');
  });
});
