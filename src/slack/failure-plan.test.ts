import { describe, expect, it } from 'vitest';
import { SlackApiError } from '../errors.js';
import type { OutboxItem } from '../store/types.js';
import { classifySlackError } from './classify.js';
import { planFailure, type FailureTimings } from './failure-plan.js';

const timings: FailureTimings = {
  policy: { attempts: 5, baseMs: 1_000, maxDelayMs: 30_000, jitter: 'none' },
  uncertainGraceMs: 10_000,
  blockedRetryMs: 60_000,
};

const item = (over: Partial<OutboxItem> = {}): OutboxItem => ({
  id: 1,
  threadId: 't',
  channel: 'C1',
  kind: 'post_parent',
  payload: null,
  status: 'inflight',
  attempts: 1,
  notBefore: 0,
  createdAt: 0,
  uncertain: false,
  lastError: null,
  ...over,
});

const plan = (error: string, over: Partial<OutboxItem> = {}, retryAfter?: number) =>
  planFailure(
    item(over),
    classifySlackError(new SlackApiError(error, 'chat.postMessage', retryAfter)),
    1_000,
    timings,
  );

describe('planFailure', () => {
  it.each([
    [
      'a 429 waits exactly Retry-After and pauses the channel',
      'ratelimited',
      {},
      30,
      { kind: 'rate_limited', retryAt: 31_000, uncertain: false, dead: false, pauseUntil: 31_000 },
    ],
    [
      'a 5xx on a post retries by backoff and marks it for lookup',
      'http_503',
      {},
      undefined,
      { kind: 'retry', retryAt: 3_000, uncertain: true, dead: false },
    ],
    [
      'a timed-out post waits the grace period before its lookup',
      'timeout',
      {},
      undefined,
      { kind: 'retry', retryAt: 11_000, uncertain: true, dead: false },
    ],
    [
      'a timed-out edit needs no lookup and retries by backoff',
      'timeout',
      { kind: 'update_parent' },
      undefined,
      { kind: 'retry', retryAt: 3_000, uncertain: false, dead: false },
    ],
    [
      'backoff grows with the attempts',
      'http_500',
      { attempts: 3 },
      undefined,
      { kind: 'retry', retryAt: 9_000, uncertain: true, dead: false },
    ],
    [
      'a revoked token is kept for a person to fix, retried after a pause',
      'token_revoked',
      {},
      undefined,
      { kind: 'blocked', retryAt: 61_000, uncertain: false, dead: false },
    ],
    [
      'a post already marked uncertain stays uncertain through a 429',
      'ratelimited',
      { uncertain: true },
      1,
      { kind: 'rate_limited', retryAt: 2_000, uncertain: true, dead: false, pauseUntil: 2_000 },
    ],
    [
      'a message Slack refuses as such is given up',
      'msg_too_long',
      {},
      undefined,
      { kind: 'permanent', retryAt: 1_000, uncertain: false, dead: true },
    ],
  ])('%s', (_name, error, over, retryAfter, expected) => {
    const { kind, outcome, pauseUntil } = plan(error, over as Partial<OutboxItem>, retryAfter);
    const { kind: k, pauseUntil: p, ...rest } = expected as Record<string, unknown>;
    expect(kind).toBe(k);
    expect(pauseUntil).toBe(p);
    expect(outcome).toEqual({ error, ...rest });
  });
});
