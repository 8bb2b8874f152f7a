import { describe, expect, it } from 'vitest';
import { renderQuery } from '../metrics/promql.js';
import type { MetricCheck } from '../metrics/types.js';
import { scopeToInstances, targetAddress } from './analysis-run.js';

const fiveXx: MetricCheck = {
  name: 'http_5xx_ratio',
  ratio: {
    numerator: { metric: 'threader_http_requests_total', match: { code: '5..' } },
    denominator: { metric: 'threader_http_requests_total' },
  },
  scope: { job: 'svc' },
  comparator: '<=',
  threshold: 0.01,
  noData: 'fail',
};
const canary = [{ host: '127.0.0.1', port: 9004 }];

describe('scopeToInstances', () => {
  const cases: Array<[string, MetricCheck, typeof canary, string | undefined, string]> = [
    [
      'a ratio check measures only the canary: both counters match its host:port, dots escaped',
      fiveXx,
      canary,
      undefined,
      '(sum(rate(threader_http_requests_total{job="svc",code=~"5..",instance=~"127\\\\.0\\\\.0\\\\.1:9004"}[1m])) or vector(0)) / sum(rate(threader_http_requests_total{job="svc",instance=~"127\\\\.0\\\\.0\\\\.1:9004"}[1m]))',
    ],
    [
      'several instances (a blue-green colour) become one anchored alternation',
      fiveXx,
      [
        { host: '10.0.0.1', port: 80 },
        { host: '10.0.0.2', port: 80 },
      ],
      undefined,
      '(sum(rate(threader_http_requests_total{job="svc",code=~"5..",instance=~"10\\\\.0\\\\.0\\\\.1:80|10\\\\.0\\\\.0\\\\.2:80"}[1m])) or vector(0)) / sum(rate(threader_http_requests_total{job="svc",instance=~"10\\\\.0\\\\.0\\\\.1:80|10\\\\.0\\\\.0\\\\.2:80"}[1m]))',
    ],
    [
      'a relabelled fleet names its instance label',
      { ...fiveXx, scope: {} },
      canary,
      'target',
      '(sum(rate(threader_http_requests_total{code=~"5..",target=~"127\\\\.0\\\\.0\\\\.1:9004"}[1m])) or vector(0)) / sum(rate(threader_http_requests_total{target=~"127\\\\.0\\\\.0\\\\.1:9004"}[1m]))',
    ],
    [
      'a custom query gets the alternation where it says {{instances}}',
      { ...fiveXx, ratio: undefined, query: 'max(latency{instance=~"{{instances}}"}[{{window}}])' },
      canary,
      undefined,
      'max(latency{instance=~"127\\\\.0\\\\.0\\\\.1:9004"}[1m])',
    ],
    [
      'a custom query without {{instances}} is measured as written',
      { ...fiveXx, ratio: undefined, query: 'max(latency)' },
      canary,
      undefined,
      'max(latency)',
    ],
  ];
  it.each(cases)('%s', (_name, check, instances, label, query) => {
    const [scoped] = scopeToInstances([check], instances, label);
    expect(renderQuery(scoped as MetricCheck, 60_000)).toBe(query);
  });

  it('leaves the checks it was given unchanged', () => {
    const before = structuredClone(fiveXx);
    scopeToInstances([fiveXx], canary);
    expect(fiveXx).toEqual(before);
  });

  it('names an IPv6 target the way Prometheus does, in brackets', () => {
    expect(targetAddress({ host: '::1', port: 8080 })).toBe('[::1]:8080');
  });
});
