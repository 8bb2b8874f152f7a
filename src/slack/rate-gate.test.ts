import { describe, expect, it } from 'vitest';
import { RateGate } from './rate-gate.js';

describe('RateGate', () => {
  it('allows a short burst, then one call per interval', () => {
    const g = new RateGate(1, 3, 0);
    expect([g.tryTake(0), g.tryTake(0), g.tryTake(0), g.tryTake(0)]).toEqual([true, true, true, false]);
    expect(g.nextAt(0)).toBe(1000);
    expect(g.tryTake(999)).toBe(false);
    expect(g.tryTake(1000)).toBe(true);
  });

  it('never holds more tokens than the burst, however long it idles', () => {
    const g = new RateGate(1, 2, 0);
    expect(g.tryTake(60_000) && g.tryTake(60_000)).toBe(true);
    expect(g.tryTake(60_000)).toBe(false);
  });

  it('a Retry-After pause blocks until it ends and spends the burst', () => {
    const g = new RateGate(1, 3, 0);
    g.pause(1_000);
    expect(g.isPaused(999)).toBe(true);
    expect(g.tryTake(999)).toBe(false);
    expect(g.nextAt(0)).toBe(1_000);
    // One second refills one token, not the whole burst the pause took away.
    expect(g.tryTake(1_000)).toBe(true);
    expect(g.tryTake(1_000)).toBe(false);
  });

  it('fractional rates (Tier 3, 50 per minute) space calls 1.2 s apart', () => {
    const g = new RateGate(50 / 60, 1, 0);
    expect(g.tryTake(0)).toBe(true);
    expect(g.nextAt(0)).toBe(1200);
  });
});
