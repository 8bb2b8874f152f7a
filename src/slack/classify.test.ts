import { describe, expect, it } from 'vitest';
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import { SlackApiError } from '../errors.js';
import { classifySlackError } from './classify.js';

const api = (error: string, retryAfterSeconds?: number) =>
  new SlackApiError(error, 'chat.postMessage', retryAfterSeconds);

describe('classifySlackError', () => {
  it('retries a rate-limited call after Retry-After, and the call did not take effect', () => {
    expect(classifySlackError(api('ratelimited', 7))).toEqual({
      retry: true,
      uncertain: false,
      permanent: false,
      blocked: false,
      retryAfterMs: 7_000,
      error: 'ratelimited',
    });
  });

  it('retries a rate-limited call with no Retry-After by backoff, leaving retryAfterMs unset', () => {
    const c = classifySlackError(api('ratelimited'));
    expect(c).toMatchObject({ retry: true, uncertain: false, permanent: false });
    expect(c.retryAfterMs).toBeUndefined();
  });

  it.each([
    ['a network error may have reached Slack', 'network_error'],
    ['a timeout may have reached Slack', 'timeout'],
    ['a garbled 200 answer may have been a success', 'invalid_response'],
    ['an HTTP 500 may have been applied', 'http_500'],
    ['an HTTP 502 from a proxy may hide a success', 'http_502'],
    ['an HTTP 503 may have been applied', 'http_503'],
    ['Slack internal_error is retried and uncertain', 'internal_error'],
    ['Slack fatal_error is retried and uncertain', 'fatal_error'],
    ['Slack service_unavailable is retried and uncertain', 'service_unavailable'],
    ['Slack request_timeout is retried and uncertain', 'request_timeout'],
  ])('%s (%s)', (_name, error) => {
    expect(classifySlackError(api(error))).toEqual({
      retry: true,
      uncertain: true,
      permanent: false,
      blocked: false,
      error,
    });
  });

  it.each([
    'not_in_channel',
    'invalid_auth',
    'not_authed',
    'account_inactive',
    'token_revoked',
    'missing_scope',
  ])('keeps %s for later: a person fixes it, and nothing accepted may be lost', (error) => {
    expect(classifySlackError(api(error))).toEqual({
      retry: true,
      uncertain: false,
      permanent: false,
      blocked: true,
      error,
    });
  });

  it.each([
    ['channel_not_found', 'channel_not_found'],
    ['is_archived', 'channel_archived'],
  ])('keeps %s for later, and says the thread can move to the default channel', (error, heal) => {
    expect(classifySlackError(api(error))).toEqual({
      retry: true,
      uncertain: false,
      permanent: false,
      blocked: true,
      error,
      heal,
    });
  });

  it.each([
    ['message_not_found', 'parent_deleted'],
    ['cant_update_message', 'edit_refused'],
    ['edit_window_closed', 'edit_refused'],
  ])('gives up editing on %s, and says a fresh parent can take over', (error, heal) => {
    expect(classifySlackError(api(error))).toEqual({
      retry: false,
      uncertain: false,
      permanent: true,
      blocked: false,
      error,
      heal,
    });
  });

  it.each([
    'msg_too_long',
    'invalid_blocks',
    'no_text',
    'invalid_arguments',
    'http_400',
    'http_404',
    'an_error_slack_adds_next_year',
  ])('gives up on %s (the message itself is refused) without blocking the channel', (error) => {
    expect(classifySlackError(api(error))).toEqual({
      retry: false,
      uncertain: false,
      permanent: true,
      blocked: false,
      error,
    });
  });

  it('classifies raw SDK errors the same way the web client maps them', () => {
    const timeout = new WebAPIRequestError(Object.assign(new Error('aborted'), { name: 'TimeoutError' }));
    expect(classifySlackError(new WebAPIRateLimitedError(3)).retryAfterMs).toBe(3_000);
    expect(classifySlackError(new WebAPIPlatformError({ ok: false, error: 'is_archived' })).blocked).toBe(
      true,
    );
    expect(classifySlackError(new WebAPIHTTPError(503, 'Service Unavailable', {})).uncertain).toBe(true);
    expect(classifySlackError(timeout)).toMatchObject({ retry: true, uncertain: true, error: 'timeout' });
    expect(classifySlackError(new TypeError('fetch failed'))).toMatchObject({
      retry: true,
      error: 'network_error',
    });
  });
});
