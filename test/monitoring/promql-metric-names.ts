/**
 * Metric names a PromQL expression reads — enough of PromQL to check dashboards and rules against
 * a live /metrics, not a parser: strings, label matchers, grouping clauses, ranges and durations
 * are cut out first, then every identifier not followed by "(" (a function or aggregation) and
 * not a keyword is a metric name. Syntax is promtool's job (see metric-names.test.ts).
 */

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
  'start',
  'end',
]);

export function metricNames(expr: string): string[] {
  const cut = grafanaToPromql(expr)
    // Strings first: they may hold braces, parentheses or anything else.
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/#[^\n]*/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/@\s*[\d.]+/g, ' ');
  const names = new Set<string>();
  for (const m of cut.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    const before = cut[(m.index ?? 0) - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue; // 1e3, 0.5e-2
    const after = cut.slice((m.index ?? 0) + word.length);
    if (/^\s*\(/.test(after)) continue;
    if (KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names].sort();
}

/** Grafana's macros and variables replaced by values PromQL accepts. */
export function grafanaToPromql(expr: string, vars: Record<string, string> = {}): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, (_w, n: string) => (n === 'range' ? '1h' : '5m'))
    .replace(
      /\$\{(\w+)(?::\w+)?\}|\$(\w+)/g,
      (_w, a?: string, b?: string) => vars[(a ?? b) as string] ?? 'x',
    );
}

/** `label_values(metric, label)` and `query_result(expr)` in dashboard variables. */
export function variableQueryMetrics(query: string): string[] {
  const lv = /^\s*label_values\s*\(\s*([A-Za-z_:][\w:]*)/.exec(query);
  if (lv) return [lv[1] as string];
  const qr = /^\s*query_result\s*\(([\s\S]*)\)\s*$/.exec(query);
  if (qr) return metricNames(qr[1] as string);
  return [];
}

export interface Exposition {
  /** Family name → type (counter, gauge, histogram, summary, untyped). */
  types: Map<string, string>;
  /** Every sample name seen (with _bucket/_sum/_count/_total as written). */
  samples: Set<string>;
}

/** The names in a Prometheus text exposition. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples = new Set<string>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (t) types.set(t[1] as string, t[2] as string);
    else if (line && !line.startsWith('#')) samples.add((/^[A-Za-z_:][\w:]*/.exec(line) ?? [''])[0]);
  }
  return { types, samples };
}

/**
 * Whether a name a query reads is exported: as a sample, as a family (TYPE line, which
 * prom-client writes even before a labelled series exists), or as a histogram's or summary's
 * `_bucket`/`_sum`/`_count` series.
 */
export function isExported(name: string, e: Exposition): boolean {
  if (e.samples.has(name) || e.types.has(name)) return true;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!m) return false;
  const type = e.types.get(m[1] as string);
  return type === 'histogram' || (type === 'summary' && m[2] !== 'bucket');
}
