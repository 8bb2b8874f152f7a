import { describe, expect, it } from 'vitest';
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import { SlackApiError } from '../errors.js';
import { toSlackApiError } from './to-slack-api-error.js';

const map = (err: unknown) => {
  const e = toSlackApiError(err, 'chat.update');
  return { error: e.slackError, method: e.method, retryAfterSeconds: e.retryAfterSeconds };
};

describe('toSlackApiError', () => {
  it.each([
    [
      'a platform error keeps Slack error string',
      new WebAPIPlatformError({ ok: false, error: 'channel_not_found' }),
      'channel_not_found',
      undefined,
    ],
    ['a rate-limit rejection carries Retry-After', new WebAPIRateLimitedError(12), 'ratelimited', 12],
    [
      'a ratelimited platform answer keeps the Retry-After Slack sent',
      new WebAPIPlatformError({ ok: false, error: 'ratelimited', response_metadata: { retryAfter: 4 } }),
      'ratelimited',
      4,
    ],
    [
      'an HTTP error becomes http_<status>',
      new WebAPIHTTPError(502, 'Bad Gateway', {}, '<html>'),
      'http_502',
      undefined,
    ],
    [
      'a refused connection is a network error',
      new WebAPIRequestError(new TypeError('fetch failed')),
      'network_error',
      undefined,
    ],
    [
      'an aborted request after the deadline is a timeout',
      new WebAPIRequestError(
        Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }),
      ),
      'timeout',
      undefined,
    ],
    [
      'undici header deadline is a timeout',
      new WebAPIRequestError(
        Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_HEADERS_TIMEOUT' } }),
      ),
      'timeout',
      undefined,
    ],
    [
      'a 429 without a usable Retry-After is still rate limiting',
      new Error(
        'Retry header did not contain a valid timeout (url: http://x/api/chat.update, retry-after header: soon)',
      ),
      'ratelimited',
      undefined,
    ],
    ['a body that dies mid-read is a network error', new TypeError('terminated'), 'network_error', undefined],
  ])('%s', (_name, err, error, retryAfterSeconds) => {
    expect(map(err)).toEqual({ error, method: 'chat.update', retryAfterSeconds });
  });

  it('replaces a non-Slack error text (an HTML page, a token echo) by invalid_response', () => {
    const err = new WebAPIPlatformError({ ok: false, error: '<html>bad gateway xoxb-123-secret</html>' });
    const mapped = toSlackApiError(err, 'chat.postMessage');
    expect(mapped.slackError).toBe('invalid_response');
    expect(mapped.message).not.toContain('xoxb');
  });

  it('returns a SlackApiError unchanged', () => {
    const e = new SlackApiError('is_archived', 'chat.postMessage');
    expect(toSlackApiError(e, 'other')).toBe(e);
  });
});
