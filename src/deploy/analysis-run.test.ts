import { describe, expect, it } from 'vitest';
import { renderQuery } from '../metrics/promql.js';
import type { MetricCheck } from '../metrics/types.js';
import { runAnalysis, scopeToInstances, targetAddress } from './analysis-run.js';
import type { AnalysisSpec } from './types.js';

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

describe('runAnalysis', () => {
  const spec: AnalysisSpec = {
    provider: { type: 'prometheus', url: 'http://127.0.0.1:9', timeout: 1_000 },
    checks: [fiveXx],
    window: 60_000,
    interval: 1_000,
    count: 3,
    failureLimit: 0,
    consecutiveErrorLimit: 4,
    inconclusiveLimit: 0,
    noData: 'fail',
  };
  const down = {
    measure: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')),
  };

  it.each([1, 3])(
    'a gate of count %i whose provider fails on every measurement ends in Error, never promotes',
    async (count) => {
      let now = 0;
      const result = await runAnalysis(
        spec,
        { count, interval: 1_000 },
        {
          provider: down as never,
          now: () => now,
          sleep: async (ms) => void (now += ms),
        },
      );
      expect(result.outcome).toBe('Error');
      expect(result.deciding[0]?.message).toMatch(/provider error: connect ECONNREFUSED/);
    },
  );
});
