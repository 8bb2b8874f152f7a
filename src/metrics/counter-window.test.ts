import { describe, it, expect } from 'vitest';
import { counterIncrease, pickBaseline, pruneHistory, ratioBetween, type Scrape } from './counter-window.js';
import type { CounterRatio } from './types.js';

const req = (code: string, value: number) => ({ name: 'req_total', labels: { code }, value });
const scrape = (at: number, ...samples: ReturnType<typeof req>[]): Scrape => ({ at, samples });
const fiveXx: CounterRatio = {
  numerator: { metric: 'req_total', match: { code: '5..' } },
  denominator: { metric: 'req_total' },
};

describe('counterIncrease', () => {
  it('sums the increase of every matching series', () => {
    const a = scrape(0, req('200', 10), req('503', 1));
    const b = scrape(1, req('200', 30), req('503', 4));
    expect(counterIncrease(a, b, { metric: 'req_total' })).toBe(23);
    expect(counterIncrease(a, b, fiveXx.numerator)).toBe(3);
  });
  it('treats a counter that went down as restarted from zero', () => {
    expect(
      counterIncrease(scrape(0, req('200', 100)), scrape(1, req('200', 7)), { metric: 'req_total' }),
    ).toBe(7);
  });
  it('counts a series created since the baseline in full', () => {
    expect(
      counterIncrease(scrape(0, req('200', 5)), scrape(1, req('200', 5), req('500', 2)), fiveXx.numerator),
    ).toBe(2);
  });
  it('is undefined when nothing matches', () => {
    expect(counterIncrease(scrape(0), scrape(1, req('200', 1)), fiveXx.numerator)).toBeUndefined();
  });
});

describe('ratioBetween', () => {
  it.each<[string, Array<[Scrape, Scrape]>, number | undefined]>([
    [
      'adds numerators and denominators across targets before dividing',
      [
        [scrape(0, req('200', 0)), scrape(1, req('200', 90), req('500', 10))],
        [scrape(0, req('200', 0)), scrape(1, req('200', 100))],
      ],
      0.05,
    ],
    [
      'a healthy service without any 5xx series has a ratio of 0',
      [[scrape(0, req('200', 1)), scrape(1, req('200', 9))]],
      0,
    ],
    [
      'no traffic at all is no data, not a ratio of 0',
      [[scrape(0, req('200', 9)), scrape(1, req('200', 9))]],
      undefined,
    ],
    ['a target without the metric is no data', [[scrape(0), scrape(1)]], undefined],
  ])('%s', (_name, pairs, expected) => {
    expect(ratioBetween(pairs, fiveXx)).toBe(expected);
  });
});

describe('pickBaseline and pruneHistory', () => {
  const h = [scrape(0), scrape(10), scrape(20), scrape(30)];
  it('picks the newest scrape at least a window older than the latest', () => {
    expect(pickBaseline(h, 15)?.at).toBe(10);
  });
  it('falls back to the oldest scrape when the history is shorter than the window', () => {
    expect(pickBaseline(h, 100)?.at).toBe(0);
  });
  it('has no baseline while the latest scrape is the only one, however old it is', () => {
    expect(pickBaseline([scrape(30)], 15)).toBeUndefined();
  });
  it('keeps exactly one scrape older than the window', () => {
    expect(pruneHistory(h, 15).map((s) => s.at)).toEqual([10, 20, 30]);
  });
  it('counts the window back from the latest scrape, so pruning never takes its baseline away', () => {
    const kept = pruneHistory(h, 25);
    expect(kept.map((s) => s.at)).toEqual([0, 10, 20, 30]);
    expect(pickBaseline(kept, 25)).toBe(pickBaseline(h, 25));
  });
});
