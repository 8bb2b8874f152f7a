import { describe, it, expect } from 'vitest';
import { MetricProviderError } from '../errors.js';
import { SLI } from './conventions.js';
import { createScrapeProvider } from './scrape-provider.js';
import type { MetricCheck } from './types.js';

const check: MetricCheck = {
  name: '5xx',
  ratio: SLI.http5xxRatio,
  comparator: '<=',
  threshold: 0.01,
  noData: 'fail',
};

/** Two fake instances whose counters the test advances; time moves only when the provider sleeps. */
function fleet() {
  let t = 0;
  const counters: Record<string, { ok: number; bad: number; up: boolean }> = {
    'http://a/metrics': { ok: 0, bad: 0, up: true },
    'http://b/metrics': { ok: 0, bad: 0, up: true },
  };
  const fetchFn = (async (input: Parameters<typeof fetch>[0]) => {
    // A scrape takes time: the clock must not stand still between scrape and judgement.
    t += 1;
    const c = counters[String(input)];
    if (!c?.up) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const lines = [`threader_http_requests_total{route="/",method="GET",code="200"} ${c.ok}`];
    if (c.bad) lines.push(`threader_http_requests_total{route="/",method="GET",code="503"} ${c.bad}`);
    return new Response(lines.join('\n') + '\n');
  }) as typeof fetch;
  const sleeps: number[] = [];
  const provider = createScrapeProvider({
    targets: Object.keys(counters),
    fetch: fetchFn,
    now: () => t,
    warmupMs: 2_000,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
      traffic(10, 0);
    },
  });
  function traffic(ok: number, bad: number) {
    for (const c of Object.values(counters)) {
      c.ok += ok;
      c.bad += bad;
    }
  }
  return { provider, counters, sleeps, traffic, advance: (ms: number) => (t += ms) };
}

describe('scrape provider', () => {
  it('takes a second scrape after a warm-up when it has nothing to compare with', async () => {
    const f = fleet();
    const m = await f.provider.measure(check, { windowMs: 60_000 });
    expect(f.sleeps).toEqual([2_000]);
    expect(m.values).toEqual([0]);
    expect(m.query).toContain('across 2 target(s)');
  });

  it('computes the 5xx ratio from counter increases since the earlier scrape', async () => {
    const f = fleet();
    await f.provider.measure(check, { windowMs: 60_000 });
    f.advance(5_000);
    f.traffic(90, 10);
    const m = await f.provider.measure(check, { windowMs: 60_000 });
    expect(f.sleeps).toHaveLength(1);
    expect(m.values[0]).toBeCloseTo(20 / 220);
  });

  it('forgets increases older than the window', async () => {
    const f = fleet();
    await f.provider.measure(check, { windowMs: 10_000 });
    f.advance(1_000);
    f.traffic(0, 50);
    await f.provider.measure(check, { windowMs: 10_000 });
    f.advance(20_000);
    f.traffic(100, 0);
    await f.provider.measure(check, { windowMs: 10_000 });
    f.advance(20_000);
    f.traffic(100, 0);
    expect((await f.provider.measure(check, { windowMs: 10_000 })).values).toEqual([0]);
  });

  it('reports no traffic as no data', async () => {
    const f = fleet();
    await f.provider.measure(check, { windowMs: 1_000 });
    f.advance(5_000);
    expect((await f.provider.measure(check, { windowMs: 1_000 })).values).toEqual([]);
  });

  it('fails the measurement when any target cannot be scraped', async () => {
    const f = fleet();
    (f.counters['http://b/metrics'] as { up: boolean }).up = false;
    const err = await f.provider.measure(check, { windowMs: 60_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetricProviderError);
    expect((err as Error).message).toBe('cannot scrape http://b/metrics (ECONNREFUSED)');
  });

  it('refuses a PromQL-only check', async () => {
    const f = fleet();
    const err = await f.provider
      .measure({ ...check, ratio: undefined, query: 'up' }, { windowMs: 1 })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/cannot run PromQL/);
  });
});

/**
 * One instance serving 100 requests (and 10 health checks) a second, all good; a scrape takes
 * 1 ms. Time moves only when the provider sleeps or the test advances it.
 */
function instance(warmupMs: number) {
  let t = 0;
  const fetches: number[] = [];
  const fetchFn = (async () => {
    const seen = t;
    t += 1;
    fetches.push(seen);
    return new Response(
      `threader_http_requests_total{route="/",method="GET",code="200"} ${seen / 10}\n` +
        `threader_health_checks_total{target="svc",result="success"} ${seen / 100}\n`,
    );
  }) as typeof fetch;
  const sleeps: number[] = [];
  const provider = createScrapeProvider({
    targets: ['http://a/metrics'],
    fetch: fetchFn,
    now: () => t,
    warmupMs,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  });
  return { provider, sleeps, fetches, advance: (ms: number) => (t += ms) };
}

const health: MetricCheck = {
  name: 'health',
  ratio: SLI.healthCheckSuccessRatio,
  comparator: '>=',
  threshold: 0.99,
  noData: 'fail',
};
const over = (query: string) => /over (\S+) across/.exec(query)?.[1];

describe('scrape provider: the window of one measurement', () => {
  it('the checks of one measurement asked together share one scrape, one warm-up and one window', async () => {
    const f = instance(3_000);
    const first = await Promise.all([
      f.provider.measure(check, { windowMs: 3_000 }),
      f.provider.measure(health, { windowMs: 3_000 }),
    ]);
    expect(f.sleeps).toEqual([3_000]);
    expect(first.map((m) => over(m.query))).toEqual(['3s', '3s']);
    expect(first.map((m) => m.values)).toEqual([[0], [1]]);
    f.advance(3_000);
    const second = await Promise.all([
      f.provider.measure(check, { windowMs: 3_000 }),
      f.provider.measure(health, { windowMs: 3_000 }),
    ]);
    expect(f.sleeps).toEqual([3_000]);
    expect(f.fetches).toHaveLength(3);
    expect(second.map((m) => over(m.query))).toEqual(['3s', '3s']);
    expect(second.map((m) => m.values)).toEqual([[0], [1]]);
  });

  it.each<[string, number, number, number, string]>([
    [
      'a later check of one evaluation keeps the first one’s baseline though the clock passed another scrape',
      1_400,
      2_700,
      400,
      '4s',
    ],
    [
      'a scrape a little less than a window after the last one still spans one window (scrape times jitter)',
      3_000,
      2_990,
      100,
      '3s',
    ],
  ])('%s', async (_name, warmupMs, gap, between, span) => {
    const f = instance(warmupMs);
    await f.provider.measure(check, { windowMs: 3_000 });
    f.advance(gap);
    const a = await f.provider.measure(check, { windowMs: 3_000 });
    f.advance(between);
    const b = await f.provider.measure(health, { windowMs: 3_000 });
    expect([over(a.query), over(b.query)]).toEqual([span, span]);
    expect(f.fetches).toHaveLength(3);
  });
});
