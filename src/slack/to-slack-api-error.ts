import { SlackApiError } from '../errors.js';

/**
 * Maps whatever @slack/web-api (v8, fetch based) throws to our SlackApiError. Matching is by the SDK's
 * documented `code` strings (ErrorCode) and fields rather than `instanceof`, so it holds across
 * duplicate copies of the SDK. The result never carries free text from a response or the request:
 * an error string that is not Slack's snake_case shape becomes 'invalid_response', so neither a
 * proxy's HTML page nor anything echoing the token can reach a log line.
 */
export function toSlackApiError(err: unknown, method: string): SlackApiError {
  if (err instanceof SlackApiError) return err;
  const e = (err ?? {}) as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    retryAfter?: unknown;
    statusCode?: unknown;
    data?: { error?: unknown; response_metadata?: { retryAfter?: unknown } };
    original?: unknown;
    cause?: unknown;
  };
  switch (e.code) {
    case 'slack_webapi_rate_limited_error':
      return new SlackApiError('ratelimited', method, seconds(e.retryAfter));
    case 'slack_webapi_platform_error': {
      const error = slackErrorString(e.data?.error);
      const retryAfter = error === 'ratelimited' ? seconds(e.data?.response_metadata?.retryAfter) : undefined;
      return new SlackApiError(error, method, retryAfter);
    }
    case 'slack_webapi_http_error':
      return new SlackApiError(
        typeof e.statusCode === 'number' ? `http_${e.statusCode}` : 'invalid_response',
        method,
      );
    case 'slack_webapi_request_error':
      return new SlackApiError(isTimeout(e.original) ? 'timeout' : 'network_error', method);
  }
  // With rejectRateLimitedCalls the SDK rejects a 429 without a usable Retry-After with a bare Error.
  if (typeof e.message === 'string' && e.message.startsWith('Retry header did not contain a valid timeout')) {
    return new SlackApiError('ratelimited', method);
  }
  return new SlackApiError(isTimeout(err) ? 'timeout' : 'network_error', method);
}

function seconds(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function slackErrorString(v: unknown): string {
  return typeof v === 'string' && /^[a-z0-9_]{1,64}$/.test(v) ? v : 'invalid_response';
}

/** AbortSignal.timeout() rejects fetch with a TimeoutError; undici's own deadlines carry UND_ERR_*_TIMEOUT. */
function isTimeout(err: unknown): boolean {
  for (let cur: unknown = err, depth = 0; cur && typeof cur === 'object' && depth < 4; depth++) {
    const c = cur as { name?: unknown; code?: unknown; cause?: unknown };
    if (c.name === 'TimeoutError' || c.name === 'AbortError') return true;
    if (typeof c.code === 'string' && /^UND_ERR_(CONNECT|HEADERS|BODY)_TIMEOUT$/.test(c.code)) return true;
    cur = c.cause;
  }
  return false;
}
