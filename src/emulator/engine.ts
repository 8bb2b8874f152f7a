/**
 * One Web API call from parsed request to response, independent of HTTP: method lookup, auth,
 * scripted and random faults, rate limits, the handler, the call log. Order follows what Slack
 * reveals: an unknown method or an unreadable body fails before auth, auth before limits, and a
 * rate-limited call has no effect.
 */
import type { Args } from './args.js';
import { str } from './args.js';
import type { CallLog } from './call-log.js';
import type { Faults } from './faults.js';
import { GRANTED_SCOPES, METHODS } from './methods/index.js';
import type { MethodResult } from './methods/context.js';
import type { RateLimiter } from './rate-limit.js';
import type { Identity } from './render.js';
import { type Workspace, channelKey } from './store.js';

export interface ApiRequest {
  method: string;
  args: Args;
  token?: string;
  /** A Slack error the body itself earned (invalid_json, invalid_post_type …). */
  bodyError?: string;
  /** Slack warnings about the request (e.g. missing_charset). */
  warnings?: string[];
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Destroy the connection instead of answering. */
  drop: boolean;
}

export interface EngineDeps {
  store: Workspace;
  limiter: RateLimiter;
  faults: Faults;
  log: CallLog;
  identity: Identity;
  now: () => number;
  acceptsToken: (token: string) => boolean;
  workspaceUrl: () => string;
  sleep: (ms: number) => Promise<void>;
}

const EDGE_ERROR_PAGE = (status: number) =>
  `<html><head><title>${status} Service Unavailable</title></head><body><h1>${status}</h1>` +
  `<p>Slack is having trouble reaching this service. Please try again.</p></body></html>`;

export class Engine {
  constructor(private readonly deps: EngineDeps) {}

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const { deps } = this;
    const rawChannel = str(req.args, 'channel');
    const channel = rawChannel === undefined ? undefined : channelKey(rawChannel);
    const record = (
      status: number,
      result: MethodResult['body'] | undefined,
      extra: { dropped?: boolean; ts?: string } = {},
    ) =>
      deps.log.add({
        method: req.method,
        channel,
        at_ms: deps.now(),
        http_status: status,
        ok: result?.ok === true,
        error: result ? (result.ok === true ? undefined : String(result.error)) : `http_${status}`,
        dropped: extra.dropped ?? false,
        ts: extra.ts,
      });

    const latency = deps.faults.latencyFor(req.method);
    if (latency > 0) await deps.sleep(latency);

    const entry = METHODS[req.method];
    if (!entry) {
      const body = { ok: false, error: 'unknown_method', req_method: req.method };
      record(200, body);
      return this.json(body, req, []);
    }
    const early = req.bodyError ?? this.authError(req.token);
    if (early) {
      const body = { ok: false, error: early };
      record(200, body);
      return this.json(body, req, entry.scopes);
    }

    const fault = deps.faults.decide(req.method);
    if (fault.kind === 'http') {
      record(fault.status, fault.status === 429 ? { ok: false, error: 'ratelimited' } : undefined);
      return fault.status === 429 ? this.rateLimited(fault.retryAfter ?? 1) : this.edgeError(fault.status);
    }
    if (fault.kind === 'error') {
      const body = { ok: false, error: fault.error };
      record(200, body);
      return this.json(body, req, entry.scopes);
    }

    const decision = deps.limiter.take(req.method, channel, deps.now());
    if (!decision.allowed) {
      record(429, { ok: false, error: 'ratelimited' }, { dropped: fault.kind === 'drop' });
      return { ...this.rateLimited(decision.retryAfterSec), drop: fault.kind === 'drop' };
    }

    const result = entry.handler(req.args, {
      store: deps.store,
      identity: deps.identity,
      token: req.token as string,
      nowMs: deps.now(),
      workspaceUrl: deps.workspaceUrl(),
    });
    record(200, result.body, { dropped: fault.kind === 'drop', ts: result.ts });
    return { ...this.json(result.body, req, entry.scopes), drop: fault.kind === 'drop' };
  }

  private authError(token: string | undefined): string | undefined {
    if (token === undefined || token === '') return 'not_authed';
    return this.deps.acceptsToken(token) ? undefined : 'invalid_auth';
  }

  private json(body: Record<string, unknown>, req: ApiRequest, accepted: string[]): ApiResponse {
    const out: Record<string, unknown> = { ...body };
    if (req.warnings && req.warnings.length > 0) {
      out.warning = req.warnings.join(',');
      const meta = (out.response_metadata as Record<string, unknown> | undefined) ?? {};
      out.response_metadata = { ...meta, warnings: req.warnings };
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-oauth-scopes': GRANTED_SCOPES.join(','),
    };
    if (accepted.length > 0) headers['x-accepted-oauth-scopes'] = accepted.join(',');
    return { status: 200, headers, body: JSON.stringify(out), drop: false };
  }

  private rateLimited(retryAfterSec: number): ApiResponse {
    return {
      status: 429,
      headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(retryAfterSec) },
      body: JSON.stringify({ ok: false, error: 'ratelimited' }),
      drop: false,
    };
  }

  private edgeError(status: number): ApiResponse {
    return { status, headers: { 'content-type': 'text/html' }, body: EDGE_ERROR_PAGE(status), drop: false };
  }
}
