import { AlertmanagerApiError } from '../errors.js';
import type { AlertmanagerClient, AmAlert, PostableSilence, Silence } from './types.js';
import { publicUrl } from './which.js';

export interface AlertmanagerClientOptions {
  /** e.g. http://alertmanager:9093 (a path prefix such as /am is kept; userinfo becomes basic auth). */
  baseUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * Alertmanager API v2 over fetch: one call per method, each bounded by a timeout. Failures are
 * AlertmanagerApiError with a reason ("unreachable", "timeout", "http_404"); the error text names
 * the base URL without any credentials it carried. Only retry/ loops, so nothing retries here.
 */
export function createAlertmanagerClient(opts: AlertmanagerClientOptions): AlertmanagerClient {
  const parsed = new URL(opts.baseUrl);
  const auth =
    parsed.username || parsed.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`
      : undefined;
  const base = publicUrl(opts.baseUrl);
  const doFetch = opts.fetch ?? fetch;

  async function call<T>(
    operation: string,
    method: string,
    path: string,
    body?: unknown,
    seen?: (res: Response) => void,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth) headers.authorization = auth;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (err) {
      const timeout = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      throw new AlertmanagerApiError(
        timeout ? 'timeout' : 'unreachable',
        operation,
        `Alertmanager ${base}: ${operation} ${timeout ? `timed out after ${opts.timeoutMs} ms` : 'failed: cannot connect'}`,
      );
    }
    seen?.(res);
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      throw new AlertmanagerApiError(
        `http_${res.status}`,
        operation,
        `Alertmanager ${base}: ${operation} answered HTTP ${res.status}${text ? `: ${text.slice(0, 200).trim()}` : ''}`,
      );
    }
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      throw new AlertmanagerApiError(
        'bad_response',
        operation,
        `Alertmanager ${base}: ${operation} answered non-JSON`,
      );
    }
  }

  return {
    url: base,
    alerts: async () => {
      const alerts = await call<unknown>('list alerts', 'GET', '/api/v2/alerts');
      if (!Array.isArray(alerts))
        throw new AlertmanagerApiError(
          'bad_response',
          'list alerts',
          `Alertmanager ${base}: alerts is not a list`,
        );
      return alerts as AmAlert[];
    },
    createSilence: async (silence: PostableSilence) => {
      const res = await call<{ silenceID?: string }>('create silence', 'POST', '/api/v2/silences', silence);
      if (!res?.silenceID)
        throw new AlertmanagerApiError(
          'bad_response',
          'create silence',
          `Alertmanager ${base}: no silenceID`,
        );
      return res.silenceID;
    },
    uptimeMs: async () => {
      let serverNow = NaN;
      const status = await call<{ uptime?: string }>(
        'get status',
        'GET',
        '/api/v2/status',
        undefined,
        (res) => {
          serverNow = Date.parse(res.headers.get('date') ?? '');
        },
      );
      const startedAt = Date.parse(status?.uptime ?? '');
      if (Number.isNaN(startedAt))
        throw new AlertmanagerApiError(
          'bad_response',
          'get status',
          `Alertmanager ${base}: status has no uptime`,
        );
      // Both instants from Alertmanager's own clock (its Date header), so our clock's skew cannot
      // make a fresh restart look old; the header has whole seconds, ample for minutes of uptime.
      return Math.max(0, (Number.isNaN(serverNow) ? Date.now() : serverNow) - startedAt);
    },
    getSilence: (id) => call<Silence>('get silence', 'GET', `/api/v2/silence/${encodeURIComponent(id)}`),
    expireSilence: async (id) => {
      await call<unknown>('expire silence', 'DELETE', `/api/v2/silence/${encodeURIComponent(id)}`);
    },
  };
}
