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

describe('planFailure: self-healing threads', () => {
  const healing = { ...timings, fallbackChannel: 'C_DEFAULT' };
  const heal = (error: string, over: Partial<OutboxItem> = {}, channel = 'C1') =>
    planFailure(item(over), classifySlackError(new SlackApiError(error, 'chat.update')), 1_000, healing, {
      channel,
    });

  it.each<[string, string, Partial<OutboxItem>, string, { reason: string; channel: string } | undefined]>([
    [
      'a deleted parent is replaced by a fresh one in the same channel',
      'message_not_found',
      { kind: 'update_parent' },
      'C1',
      { reason: 'parent_deleted', channel: 'C1' },
    ],
    [
      'a parent Slack will not let us edit is replaced by a fresh one',
      'cant_update_message',
      { kind: 'update_parent' },
      'C1',
      { reason: 'edit_refused', channel: 'C1' },
    ],
    [
      'a closed edit window is healed the same way',
      'edit_window_closed',
      { kind: 'update_parent' },
      'C1',
      { reason: 'edit_refused', channel: 'C1' },
    ],
    [
      'a parent posted into an archived channel goes to the default channel',
      'is_archived',
      { kind: 'post_parent' },
      'C1',
      { reason: 'channel_archived', channel: 'C_DEFAULT' },
    ],
    [
      'a reply into a thread of an archived channel moves the thread to the default channel',
      'is_archived',
      { kind: 'reply' },
      'C1',
      { reason: 'channel_archived', channel: 'C_DEFAULT' },
    ],
    [
      'an edit in a channel that no longer exists moves the thread to the default channel',
      'channel_not_found',
      { kind: 'update_parent' },
      'C1',
      { reason: 'channel_not_found', channel: 'C_DEFAULT' },
    ],
    [
      'the thread lives where the thread says, not where an older outbox row says',
      'message_not_found',
      { kind: 'update_parent', channel: 'C_OLD' },
      'C1',
      { reason: 'parent_deleted', channel: 'C1' },
    ],
  ])('%s', (_name, error, over, channel, expected) => {
    const p = heal(error, over, channel);
    expect(p.kind).toBe('heal');
    expect(p.heal).toEqual(expected);
    expect(p.outcome).toMatchObject({ error, dead: false });
  });

  it('a default channel that is itself archived has nowhere to go: blocked, retried after a pause', () => {
    const p = heal('is_archived', { kind: 'post_parent' }, 'C_DEFAULT');
    expect(p.kind).toBe('blocked');
    expect(p.outcome.retryAt).toBe(61_000);
  });

  it('without a default channel an archived channel stays blocked as before', () => {
    const p = planFailure(
      item(),
      classifySlackError(new SlackApiError('is_archived', 'chat.postMessage')),
      1_000,
      timings,
    );
    expect(p.kind).toBe('blocked');
  });

  it('a reply never replaces its parent on message_not_found: only an edit tells the parent is gone', () => {
    expect(heal('message_not_found', { kind: 'reply' }).kind).toBe('permanent');
  });

  it('a thread that keeps losing its parent stops healing and gives up the edit', () => {
    expect(heal('edit_window_closed', { kind: 'update_parent', attempts: 4 }).kind).toBe('permanent');
  });
});

describe('planFailure: the fresh parent of a heal fails', () => {
  const fresh = (error: string, over: Partial<OutboxItem> = {}) =>
    planFailure(
      item({ kind: 'update_parent', ...over }),
      classifySlackError(new SlackApiError(error, 'chat.postMessage')),
      1_000,
      { ...timings, fallbackChannel: 'C_DEFAULT' },
      { channel: 'C1', healing: true },
    );

  it.each<[string, string, { kind: string; retryAt: number; uncertain: boolean }]>([
    [
      "a timed-out fresh parent of an edit's row is looked up after the grace period",
      'timeout',
      { kind: 'retry', retryAt: 11_000, uncertain: true },
    ],
    [
      'a fresh parent lost to a 5xx is looked up soon',
      'http_503',
      { kind: 'retry', retryAt: 3_000, uncertain: true },
    ],
    [
      'a fresh parent refused because the default channel is archived too is not healed again',
      'is_archived',
      { kind: 'blocked', retryAt: 61_000, uncertain: false },
    ],
  ])('%s', (_name, error, expected) => {
    const p = fresh(error);
    expect(p.kind).toBe(expected.kind);
    expect(p.heal).toBeUndefined();
    expect(p.outcome).toMatchObject({ retryAt: expected.retryAt, uncertain: expected.uncertain });
  });
});
