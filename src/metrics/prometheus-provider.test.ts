import { describe, it, expect } from 'vitest';
import { MetricProviderError } from '../errors.js';
import { policies } from '../retry/policy.js';
import { createPrometheusProvider } from './prometheus-provider.js';
import type { MetricCheck } from './types.js';

const check: MetricCheck = {
  name: 'c',
  query: 'sum(rate(x[{{window}}]))',
  comparator: '<=',
  threshold: 1,
  noData: 'fail',
};
const ctx = { windowMs: 300_000 };

function fakeFetch(...answers: Array<Response | Error>) {
  const urls: URL[] = [];
  const fn = (async (input: Parameters<typeof fetch>[0]) => {
    urls.push(new URL(String(input)));
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  }) as typeof fetch;
  return { fn, urls };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const vector = (...values: string[]) =>
  json({
    status: 'success',
    data: { resultType: 'vector', result: values.map((v) => ({ metric: {}, value: [0, v] })) },
  });

function provider(f: typeof fetch) {
  return createPrometheusProvider({
    url: 'http://user:secret@127.0.0.1:9090/prom',
    fetch: f,
    now: () => 1_700_000_000_000,
    retryPolicy: { ...policies.instant, attempts: 2 },
  });
}

async function failure(p: Promise<unknown>): Promise<MetricProviderError> {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MetricProviderError);
  return err as MetricProviderError;
}

describe('Prometheus provider', () => {
  it('sends the PromQL URL-encoded in a GET query string, at the evaluation time', async () => {
    const f = fakeFetch(vector('0.5'));
    const m = await provider(f.fn).measure(check, ctx);
    expect(m).toEqual({ values: [0.5], query: 'sum(rate(x[5m]))', at: 1_700_000_000_000 });
    expect(f.urls[0]?.pathname).toBe('/prom/api/v1/query');
    expect(f.urls[0]?.searchParams.get('query')).toBe('sum(rate(x[5m]))');
    expect(f.urls[0]?.searchParams.get('time')).toBe('1700000000.000');
  });

  it('returns an empty result as no values, leaving the verdict to the no-data policy', async () => {
    expect((await provider(fakeFetch(vector()).fn).measure(check, ctx)).values).toEqual([]);
  });

  it('reads Prometheus infinities as numbers, not as no data (x/0 must fail a threshold)', async () => {
    const m = await provider(fakeFetch(vector('+Inf')).fn).measure(check, ctx);
    expect(m.values).toEqual([Infinity]);
  });

  it('reads NaN and scalars', async () => {
    const m = await provider(fakeFetch(vector('NaN')).fn).measure(check, ctx);
    expect(m.values[0]).toBeNaN();
    const s = await provider(
      fakeFetch(json({ status: 'success', data: { resultType: 'scalar', result: [0, '2'] } })).fn,
    ).measure(check, ctx);
    expect(s.values).toEqual([2]);
  });

  it('retries a 503 and succeeds', async () => {
    const f = fakeFetch(json({ status: 'error', error: 'busy' }, 503), vector('1'));
    expect((await provider(f.fn).measure(check, ctx)).values).toEqual([1]);
    expect(f.urls).toHaveLength(2);
  });

  it('does not retry a bad query and reports Prometheus’ own message', async () => {
    const f = fakeFetch(json({ status: 'error', errorType: 'bad_data', error: 'parse error' }, 400));
    const err = await failure(provider(f.fn).measure(check, ctx));
    expect(f.urls).toHaveLength(1);
    expect(err.message).toContain('bad_data: parse error');
  });

  it('fails when Prometheus cannot be reached, without leaking credentials from the URL', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const err = await failure(provider(fakeFetch(refused, refused).fn).measure(check, ctx));
    expect(err.message).toBe('cannot reach Prometheus at http://127.0.0.1:9090/prom/ (ECONNREFUSED)');
    expect(err.message).not.toContain('secret');
  });

  it('refuses a range vector result', async () => {
    const f = fakeFetch(json({ status: 'success', data: { resultType: 'matrix', result: [] } }));
    expect((await failure(provider(f.fn).measure(check, ctx))).message).toMatch(/matrix/);
  });
});
