import type { Sample } from './exposition.js';
import type { CounterRatio, SeriesSelector } from './types.js';

/** One scrape of one target. */
export interface Scrape {
  at: number;
  samples: Sample[];
}

function seriesKey(s: Sample): string {
  return `${s.name}{${Object.entries(s.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

/** Label matchers are anchored regexes, the way PromQL reads `=~`. */
export function matches(sel: SeriesSelector, s: Sample): boolean {
  if (s.name !== sel.metric) return false;
  return Object.entries(sel.match ?? {}).every(([k, pattern]) =>
    new RegExp(`^(?:${pattern})$`).test(s.labels[k] ?? ''),
  );
}

/**
 * Increase of the matching counters between two scrapes, summed, with Prometheus' reset rule:
 * a counter that went down restarted from zero, so its increase is its current value. A series
 * absent from the baseline was created since (prom-client adds labelled series on first use).
 * Undefined when no series matches at all.
 */
export function counterIncrease(baseline: Scrape, latest: Scrape, sel: SeriesSelector): number | undefined {
  const before = new Map(baseline.samples.filter((s) => matches(sel, s)).map((s) => [seriesKey(s), s.value]));
  let total: number | undefined;
  for (const s of latest.samples) {
    if (!matches(sel, s)) continue;
    const prev = before.get(seriesKey(s));
    const inc = prev === undefined || s.value < prev ? s.value : s.value - prev;
    total = (total ?? 0) + inc;
  }
  return total;
}

/**
 * increase(numerator) / increase(denominator) summed over targets, with the PromQL defaults'
 * meaning: a missing numerator is 0, a missing or zero denominator is no data (undefined).
 */
export function ratioBetween(pairs: Array<[Scrape, Scrape]>, ratio: CounterRatio): number | undefined {
  let num = 0;
  let den: number | undefined;
  for (const [baseline, latest] of pairs) {
    num += counterIncrease(baseline, latest, ratio.numerator) ?? 0;
    const d = counterIncrease(baseline, latest, ratio.denominator);
    if (d !== undefined) den = (den ?? 0) + d;
  }
  if (den === undefined || den === 0) return undefined;
  return num / den;
}

/**
 * The scrape to compare the latest one (the last in `history`) against for a window: the newest
 * earlier scrape at least `windowMs` older, else the oldest kept (a shorter window than asked,
 * better than none). Undefined while the latest scrape is the only one.
 */
export function pickBaseline(history: readonly Scrape[], windowMs: number): Scrape | undefined {
  const latest = history.at(-1);
  if (!latest) return undefined;
  const earlier = history.slice(0, -1);
  const beforeWindow = earlier.filter((s) => s.at <= latest.at - windowMs);
  return beforeWindow.at(-1) ?? earlier[0];
}

/**
 * Drops scrapes that can no longer be a baseline: all but the newest one a window older than the
 * latest scrape. Counted from the latest scrape, not the clock: a check that reuses that scrape a
 * moment later must find the baseline the first check of its evaluation compared against.
 */
export function pruneHistory(history: readonly Scrape[], windowMs: number): Scrape[] {
  const latest = history.at(-1);
  if (!latest) return [];
  const cutoff = latest.at - windowMs;
  const lastOld = history.filter((s) => s.at <= cutoff).at(-1);
  return history.filter((s) => s.at > cutoff || s === lastOld);
}
