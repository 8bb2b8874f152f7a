import { MetricProviderError } from '../errors.js';
import { policies, type RetryPolicy } from '../retry/policy.js';
import { retry, RetryExhaustedError } from '../retry/retry.js';
import { renderQuery } from './promql.js';
import type { Measurement, MeasureContext, MetricCheck, MetricProvider } from './types.js';

export interface PrometheusProviderOptions {
  /** Base URL of Prometheus, e.g. http://127.0.0.1:9090 (a path prefix is kept). */
  url: string;
  timeoutMs?: number;
  /** Extra request headers (e.g. Authorization for a proxy); never echoed in errors. */
  headers?: Record<string, string>;
  retryPolicy?: RetryPolicy;
  fetch?: typeof fetch;
  now?: () => number;
}

interface ApiResponse {
  status: 'success' | 'error';
  error?: string;
  errorType?: string;
  data?: { resultType: string; result: unknown };
}

class QueryFailed extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** URL without credentials, for messages. */
function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function valuesOf(data: NonNullable<ApiResponse['data']>): number[] {
  if (data.resultType === 'vector') {
    return (data.result as Array<{ value: [number, string] }>).map((s) => sampleValue(s.value[1]));
  }
  if (data.resultType === 'scalar') return [sampleValue((data.result as [number, string])[1])];
  throw new QueryFailed(`query returned a ${data.resultType}, expected an instant vector or scalar`, false);
}

/**
 * Instant queries against the Prometheus HTTP API. The PromQL travels URL-encoded in the query
 * string of a GET (the original Ansible guard put it in a GET body, which Prometheus ignores).
 * Network errors and 5xx are retried with the metricQuery policy; a bad query (4xx) is not.
 */
export function createPrometheusProvider(opts: PrometheusProviderOptions): MetricProvider {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const base = new URL(opts.url.endsWith('/') ? opts.url : `${opts.url}/`);

  async function queryOnce(query: string, at: number, signal?: AbortSignal): Promise<number[]> {
    const url = new URL('api/v1/query', base);
    url.searchParams.set('query', query);
    url.searchParams.set('time', (at / 1000).toFixed(3));
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
    let res: Response;
    try {
      res = await doFetch(url, {
        headers: { accept: 'application/json', ...opts.headers },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new QueryFailed(`cannot reach Prometheus at ${safeUrl(base)} (${cause})`, true);
    }
    const text = await res.text();
    let body: ApiResponse | undefined;
    try {
      body = JSON.parse(text) as ApiResponse;
    } catch {
      body = undefined;
    }
    if (!res.ok || body?.status !== 'success' || !body.data) {
      const why = body?.error ? `${body.errorType ?? 'error'}: ${body.error}` : `HTTP ${res.status}`;
      throw new QueryFailed(
        `Prometheus rejected the query (${why})`,
        res.status >= 500 || res.status === 429,
      );
    }
    return valuesOf(body.data);
  }

  return {
    kind: 'prometheus',
    async measure(check: MetricCheck, ctx: MeasureContext): Promise<Measurement> {
      const query = renderQuery(check, ctx.windowMs);
      const at = now();
      try {
        const values = await retry(() => queryOnce(query, at, ctx.signal), {
          policy: opts.retryPolicy ?? policies.metricQuery,
          retryable: (e) => e instanceof QueryFailed && e.retryable,
          signal: ctx.signal,
        });
        return { values, query, at };
      } catch (err) {
        const cause = err instanceof RetryExhaustedError ? err.lastError : err;
        throw new MetricProviderError((cause as Error).message, { query, check: check.name });
      }
    },
  };
}

/** Prometheus writes infinities as "+Inf"/"-Inf", which Number() would read as NaN (no data). */
function sampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}
