import { describe, it, expect } from 'vitest';
import { promDuration, renderQuery, selectorText } from './promql.js';
import type { MetricCheck } from './types.js';

describe('promDuration', () => {
  it.each([
    [300_000, '5m'],
    [90_000, '90s'],
    [5_000, '5s'],
    [3_600_000, '1h'],
    [1_500, '1500ms'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(promDuration(ms)).toBe(text);
  });
});

describe('selectorText', () => {
  it('puts scope labels first as equality matchers', () => {
    expect(selectorText({ metric: 'm', match: { code: '5..' } }, { job: 'api' })).toBe(
      'm{job="api",code=~"5.."}',
    );
  });
  it('uses equality for plain values and escapes quotes', () => {
    expect(selectorText({ metric: 'm', match: { result: 'success' } }, { env: 'a"b' })).toBe(
      'm{env="a\\"b",result="success"}',
    );
  });
  it('leaves a bare metric name alone', () => {
    expect(selectorText({ metric: 'm' })).toBe('m');
  });
});

const base: MetricCheck = { name: 'x', comparator: '<=', threshold: 0.01, noData: 'fail' };

describe('renderQuery', () => {
  it('derives a ratio query whose numerator defaults to 0 but whose denominator does not', () => {
    const q = renderQuery(
      {
        ...base,
        ratio: {
          numerator: { metric: 'threader_http_requests_total', match: { code: '5..' } },
          denominator: { metric: 'threader_http_requests_total' },
        },
        scope: { job: 'svc' },
      },
      300_000,
    );
    expect(q).toBe(
      '(sum(rate(threader_http_requests_total{job="svc",code=~"5.."}[5m])) or vector(0)) / sum(rate(threader_http_requests_total{job="svc"}[5m]))',
    );
  });
  it('substitutes the window into a hand-written query', () => {
    expect(renderQuery({ ...base, query: 'avg_over_time(up[{{window}}])' }, 5_000)).toBe(
      'avg_over_time(up[5s])',
    );
  });
  it('refuses a check with nothing to run', () => {
    expect(() => renderQuery(base, 1_000)).toThrow(/neither a query nor a counter ratio/);
  });
});
