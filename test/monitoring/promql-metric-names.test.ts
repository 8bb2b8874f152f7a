import { describe, expect, it } from 'vitest';
import { isExported, metricNames, parseExposition, variableQueryMetrics } from './promql-metric-names.js';

describe('metric names read by a PromQL expression', () => {
  const cases: Array<[string, string, string[]]> = [
    ['a bare selector is its own name', 'up', ['up']],
    [
      'label names and values inside matchers are not metrics',
      'up{job="threader",instance=~"a|b"} == 0',
      ['up'],
    ],
    [
      'functions, aggregations and grouping labels are skipped',
      'sum by (job, instance) (rate(threader_http_requests_total{code=~"5.."}[5m]))',
      ['threader_http_requests_total'],
    ],
    [
      'both sides of a binary operation count, keywords do not',
      'deriv(threader_outbox_depth[10m]) > 0 and threader_outbox_depth > 100 unless on (instance) up == 0',
      ['threader_outbox_depth', 'up'],
    ],
    [
      'histogram buckets keep their suffix for the exposition check',
      'histogram_quantile(0.99, sum by (le) (rate(x_seconds_bucket{route="/a(b)"}[$__rate_interval])))',
      ['x_seconds_bucket'],
    ],
    ['numbers with exponents are not names', 'x_total > 1e3 * 2.5e-2', ['x_total']],
    [
      'recording rule names with colons are names',
      'job:threader_http_5xx_ratio:rate5m > 0.01',
      ['job:threader_http_5xx_ratio:rate5m'],
    ],
    [
      'Grafana variables inside matchers vanish with them',
      'max(threader_open_threads{job="$job"})',
      ['threader_open_threads'],
    ],
    [
      'strings with braces and parentheses are cut out first',
      'label_replace(a, "dst", "$1 {x} (", "src", "(.*)")',
      ['a'],
    ],
    ['offset and subqueries are not names', 'max_over_time(b[1h:5m] offset 1d)', ['b']],
  ];
  it.each(cases)('%s', (_name, expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });

  it('reads the metric of a label_values variable query', () => {
    expect(variableQueryMetrics('label_values(threader_webhooks_received_total, job)')).toEqual([
      'threader_webhooks_received_total',
    ]);
    expect(variableQueryMetrics('query_result(topk(3, y_total))')).toEqual(['y_total']);
  });
});

describe('names an exposition exports', () => {
  const e = parseExposition(
    [
      '# HELP h_seconds A histogram.',
      '# TYPE h_seconds histogram',
      'h_seconds_bucket{le="0.1"} 1',
      '# TYPE c_total counter',
      '# TYPE g gauge',
      'g 1',
    ].join('\n'),
  );
  it.each([
    ['a sample', 'g', true],
    ['a family with no series yet', 'c_total', true],
    ['a histogram bucket, sum and count', 'h_seconds_sum', true],
    ['a suffix on a non-histogram', 'g_count', false],
    ['an unknown name', 'nope_total', false],
  ])('%s: %s', (_n, name, exported) => {
    expect(isExported(name, e)).toBe(exported);
  });
});
