import { describe, expect, it } from 'vitest';
import { canaryWeights } from './weights.js';

describe('canary weights', () => {
  const cases = [
    { name: '10 % on one of three instances is 2 : 9, exactly 10 %', p: 10, k: 1, m: 2, w: [2, 9], eff: 10 },
    { name: '50 % on one of three instances is 2 : 1', p: 50, k: 1, m: 2, w: [2, 1], eff: 50 },
    { name: '25 % on one of four instances is equal weights', p: 25, k: 1, m: 3, w: [1, 1], eff: 25 },
    { name: '10 % on one of two instances is 1 : 9', p: 10, k: 1, m: 1, w: [1, 9], eff: 10 },
    { name: '1 % on one of ten instances is 1 : 11, exactly 1 %', p: 1, k: 1, m: 9, w: [1, 11], eff: 1 },
    {
      name: '99 % on one of three instances is capped at 100 : 1 and reports 98.04 %',
      p: 99,
      k: 1,
      m: 2,
      w: [100, 1],
      eff: 98.04,
    },
    { name: '33 % on one of two instances uses 33 : 67 exactly', p: 33, k: 1, m: 1, w: [33, 67], eff: 33 },
    { name: '0 % takes the canaries out of the upstream', p: 0, k: 1, m: 2, w: [0, 1], eff: 0 },
    { name: '100 % takes the stable instances out of the upstream', p: 100, k: 1, m: 2, w: [1, 0], eff: 100 },
    { name: 'two canaries of five at 40 % are equal weights', p: 40, k: 2, m: 3, w: [1, 1], eff: 40 },
    { name: 'two canaries of five at 20 % are 3 : 8', p: 20, k: 2, m: 3, w: [3, 8], eff: 20 },
  ];
  it.each(cases)('$name', ({ p, k, m, w, eff }) => {
    const r = canaryWeights(p, k, m);
    expect([r.canary, r.stable]).toEqual(w);
    expect(r.effectivePercent).toBe(eff);
    expect(r.requestedPercent).toBe(p);
  });

  it('with a weight cap too small for the share it reports the share it really gets', () => {
    const r = canaryWeights(1, 1, 9, 5);
    expect([r.canary, r.stable]).toEqual([1, 5]);
    expect(r.effectivePercent).toBe(2.17);
  });

  it('every share from 1 to 99 % lands within one percent on a three-instance fleet with weights up to 100', () => {
    for (let p = 1; p < 100; p++) {
      const r = canaryWeights(p, 1, 2);
      expect(Math.abs(r.effectivePercent - p)).toBeLessThan(1);
      expect(r.canary).toBeGreaterThanOrEqual(1);
      expect(r.stable).toBeLessThanOrEqual(100);
    }
  });

  it('refuses a share outside 0..100', () => {
    expect(() => canaryWeights(101, 1, 1)).toThrow(RangeError);
  });
});
