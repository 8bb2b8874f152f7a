import { describe, it, expect } from 'vitest';
import { guardConfigSchema } from '../config/guard.js';
import { renderQuery } from '../metrics/promql.js';
import { guardChecks } from './slos.js';

const checks = (input: object) => guardChecks(guardConfigSchema.parse(input));

describe('guardChecks', () => {
  it('defaults to the three SLOs of the issue, failing on no data', () => {
    expect(checks({}).map((c) => [c.name, c.comparator, c.threshold, c.noData])).toEqual([
      ['http_5xx_ratio', '<=', 0.01, 'fail'],
      ['health_check_success_ratio', '>=', 0.995, 'fail'],
      ['error_log_ratio', '<=', 0.01, 'fail'],
    ]);
  });

  it('scopes the derived PromQL to the configured target labels', () => {
    const [fiveXx] = checks({ scope: { job: 'api' } });
    expect(renderQuery(fiveXx!, 300_000)).toContain(
      'threader_http_requests_total{job="api",code=~"5.."}[5m]',
    );
  });

  it('applies overrides, drops disabled SLOs and appends custom ones', () => {
    const list = checks({
      slos: {
        http_5xx_ratio: { threshold: 0.05 },
        error_log_ratio: { enabled: false },
        p99_latency: {
          query: 'histogram_quantile(0.99, x[{{window}}])',
          comparator: '<',
          threshold: 0.5,
          unit: 'seconds',
        },
      },
    });
    expect(list.map((c) => `${c.name} ${c.comparator} ${c.threshold}`)).toEqual([
      'http_5xx_ratio <= 0.05',
      'health_check_success_ratio >= 0.995',
      'p99_latency < 0.5',
    ]);
    expect(list[2]?.noData).toBe('fail');
  });
});
