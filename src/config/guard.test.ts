import { describe, it, expect } from 'vitest';
import { guardConfigSchema, defaultGuardConfig } from './guard.js';

describe('guardConfigSchema', () => {
  it('gives the issue’s defaults when the section is empty', () => {
    expect(defaultGuardConfig()).toEqual({
      defaultDuration: 15 * 60_000,
      release: { mode: 'slo', healthyEvaluations: 3 },
      evaluationInterval: 60_000,
      window: 5 * 60_000,
      scope: {},
      briefing: { every: 5 * 60_000 },
      slos: {},
    });
  });

  it('reads durations, a provider, a scope and SLO overrides', () => {
    const g = guardConfigSchema.parse({
      window: '5s',
      evaluationInterval: 1,
      provider: { type: 'prometheus', url: 'http://127.0.0.1:9090' },
      scope: { job: 'svc' },
      slos: { http_5xx_ratio: { threshold: 0.05 }, error_log_ratio: { enabled: false } },
    });
    expect(g.window).toBe(5_000);
    expect(g.evaluationInterval).toBe(1_000);
    expect(g.provider).toEqual({ type: 'prometheus', url: 'http://127.0.0.1:9090', timeout: 10_000 });
    expect(g.slos.http_5xx_ratio).toEqual({ enabled: true, threshold: 0.05 });
  });

  it.each([
    ['an unknown key', { lockfile: '/x' }, ''],
    ['a duration that is not one', { window: 'soon' }, 'window'],
    ['zero healthy evaluations', { release: { healthyEvaluations: 0 } }, 'release.healthyEvaluations'],
    ['a provider of an unknown type', { provider: { type: 'loki', url: 'http://x' } }, 'provider.type'],
    ['a scrape provider without targets', { provider: { type: 'scrape', targets: [] } }, 'provider.targets'],
    ['a custom SLO without a threshold', { slos: { p99: { query: 'x', comparator: '<=' } } }, 'slos.p99'],
    ['an unknown key inside an SLO', { slos: { http_5xx_ratio: { max: 1 } } }, 'slos.http_5xx_ratio'],
  ])('rejects %s, naming the path', (_name, input, path) => {
    const r = guardConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
