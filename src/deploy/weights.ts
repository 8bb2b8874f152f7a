/**
 * Integer nginx weights for a canary share (DESIGN.md "nginx weights"): with k canary and m stable
 * servers, pick weights wc, ws so that k·wc / (k·wc + m·ws) is as close as possible to p, using the
 * smallest integers that get there. nginx's `weight` must be ≥ 1, so 0 % means the canaries are
 * absent from the upstream and 100 % means the stable servers are; both are exact.
 */
export const MAX_WEIGHT = 100;

export interface CanaryWeights {
  /** Weight of each canary server; 0 = out of the upstream. */
  canary: number;
  /** Weight of each stable server; 0 = out of the upstream. */
  stable: number;
  requestedPercent: number;
  /** The share nginx will really send to the canaries, 0..100, rounded to 0.01. */
  effectivePercent: number;
}

export function effectivePercent(k: number, wc: number, m: number, ws: number): number {
  const total = k * wc + m * ws;
  return total === 0 ? 0 : Math.round(((100 * k * wc) / total) * 100) / 100;
}

export function canaryWeights(percent: number, k: number, m: number, cap = MAX_WEIGHT): CanaryWeights {
  if (!(percent >= 0 && percent <= 100)) throw new RangeError(`canary weight ${percent} is not 0..100`);
  if (k < 1) throw new RangeError('a canary needs at least one canary instance');
  const done = (canary: number, stable: number) => ({
    canary,
    stable,
    requestedPercent: percent,
    effectivePercent: effectivePercent(k, canary, m, stable),
  });
  if (percent === 0) return done(0, 1);
  if (percent === 100 || m === 0) return done(1, 0);
  const p = percent / 100;
  let best = { wc: 1, ws: 1, err: Infinity };
  // Ascending sums, so the first pair at a given error is the smallest; 100×100 pairs is nothing.
  for (let sum = 2; sum <= 2 * cap; sum++) {
    for (let wc = Math.max(1, sum - cap); wc <= Math.min(cap, sum - 1); wc++) {
      const ws = sum - wc;
      const err = Math.abs((k * wc) / (k * wc + m * ws) - p);
      if (err < best.err - 1e-12) best = { wc, ws, err };
    }
    if (best.err < 1e-12) break;
  }
  return done(best.wc, best.ws);
}
