import type { CounterRatio, MetricCheck, SeriesSelector } from './types.js';

/** "5m", "90s", "1500ms": the largest PromQL unit that divides the window exactly. */
export function promDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms)}ms`;
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const PLAIN = /^[A-Za-z0-9_:\- ]*$/;

/** `metric{scope labels…, matchers…}`; regex matchers only where the value is a pattern. */
export function selectorText(sel: SeriesSelector, scope: Record<string, string> = {}): string {
  const parts = [
    ...Object.entries(scope).map(([k, v]) => `${k}=${quote(v)}`),
    ...Object.entries(sel.match ?? {}).map(([k, v]) => `${k}${PLAIN.test(v) ? '=' : '=~'}${quote(v)}`),
  ];
  return parts.length ? `${sel.metric}{${parts.join(',')}}` : sel.metric;
}

/**
 * The ratio as PromQL. A numerator without series is 0 (prom-client creates a labelled series on
 * its first increment, so "no 5xx yet" has no series); a denominator without series or with a
 * zero rate leaves the result empty or NaN, which is "no data" — never clamp_min(total, 1),
 * which hid the 5xx ratio below 1 req/s in the original rules.
 */
export function ratioQuery(
  ratio: CounterRatio,
  scope: Record<string, string> | undefined,
  window: string,
): string {
  const num = `sum(rate(${selectorText(ratio.numerator, scope)}[${window}]))`;
  const den = `sum(rate(${selectorText(ratio.denominator, scope)}[${window}]))`;
  return `(${num} or vector(0)) / ${den}`;
}

/** The PromQL a Prometheus provider runs for this check over this window. */
export function renderQuery(check: MetricCheck, windowMs: number): string {
  const window = promDuration(windowMs);
  if (check.query !== undefined) return check.query.replaceAll('{{window}}', window);
  if (check.ratio) return ratioQuery(check.ratio, check.scope, window);
  throw new Error(`metric check "${check.name}" has neither a query nor a counter ratio`);
}
