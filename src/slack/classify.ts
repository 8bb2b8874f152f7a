import { SlackApiError } from '../errors.js';
import { toSlackApiError } from './to-slack-api-error.js';

/** What the delivery scheduler should do after a failed Slack call. */
export interface SlackErrorClass {
  /** Try the same call again later. */
  retry: boolean;
  /**
   * The call may have taken effect although it failed for us (no response, 5xx, timeout). A post
   * must then be reconciled (looked up by metadata) before posting again: Slack has no idempotency key.
   */
  uncertain: boolean;
  /** From Slack's Retry-After on HTTP 429: wait this long on this channel and method only. */
  retryAfterMs?: number;
  /** Slack refused the call and repeating it cannot help: count, log with the thread, move on. */
  permanent: boolean;
  /**
   * Slack refused because of something a person fixes (token, scope, bot not in the channel, the
   * channel itself): the same call will work once they do, so it is retried after a long pause
   * instead of being dropped — nothing accepted may be lost to a token rotation.
   */
  blocked: boolean;
  /** Slack's error string ('channel_not_found', 'ratelimited', 'http_503', 'network_error', …). */
  error: string;
  /**
   * The thread can heal itself instead of waiting: its parent is gone or can no longer be edited
   * (post a fresh parent and continue there), or its channel is archived or gone (move to the
   * default channel). failure-plan.ts decides whether that is possible.
   */
  heal?: SlackHeal;
}

export type SlackHeal = 'parent_deleted' | 'edit_refused' | 'channel_archived' | 'channel_not_found';

/** Refusals a thread can heal from (https://api.slack.com/methods/chat.update#errors and chat.postMessage). */
const HEALABLE: Readonly<Record<string, SlackHeal>> = {
  message_not_found: 'parent_deleted',
  cant_update_message: 'edit_refused',
  edit_window_closed: 'edit_refused',
  is_archived: 'channel_archived',
  channel_not_found: 'channel_not_found',
};

/**
 * Errors Slack documents for chat.postMessage / chat.update / reactions.add / conversations.* that
 * no retry can fix (https://api.slack.com/methods/chat.postMessage#errors and siblings). Exported so
 * callers can tell an expected refusal from one Slack added later (both are permanent).
 */
export const BLOCKED_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'channel_not_found',
  'is_archived',
  'not_in_channel',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'restricted_action',
]);

/** Refusals of the message itself: the same message would be refused again, whatever anyone does. */
export const PERMANENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'msg_too_long',
  'msg_blocks_too_long',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_attachments',
  'too_many_attachments',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'metadata_too_large',
  'no_text',
  'invalid_arguments',
  'message_not_found',
  'thread_not_found',
  'cant_update_message',
  'edit_window_closed',
  'already_reacted',
  'invalid_name',
]);

/** Slack's own "try again" errors: the request reached Slack, whose outcome is unknown. */
const SERVER_SIDE = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Transport failures: the request may or may not have reached Slack. */
const TRANSPORT = new Set(['network_error', 'timeout', 'invalid_response']);

/**
 * Pure classification of a failed Slack call. Anything that is not a SlackApiError is first mapped
 * the way the web client maps it. HTTP 4xx other than 429 and unknown platform errors are permanent:
 * Slack documents only 200 and 429 as meaningful statuses, and an `ok: false`
 * answer means Slack looked at the call and refused it, so it did not take effect and the same call
 * would be refused again; retrying it would only hold up the rest of the channel.
 */
export function classifySlackError(err: unknown): SlackErrorClass {
  const e = err instanceof SlackApiError ? err : toSlackApiError(err, 'unknown');
  const error = e.slackError;
  if (error === 'ratelimited' || error === 'rate_limited' || error === 'http_429') {
    const out: SlackErrorClass = { retry: true, uncertain: false, permanent: false, blocked: false, error };
    if (e.retryAfterSeconds !== undefined) out.retryAfterMs = e.retryAfterSeconds * 1000;
    return out;
  }
  if (TRANSPORT.has(error) || SERVER_SIDE.has(error) || /^http_5\d\d$/.test(error)) {
    return { retry: true, uncertain: true, permanent: false, blocked: false, error };
  }
  const heal = HEALABLE[error];
  const out: SlackErrorClass = BLOCKED_SLACK_ERRORS.has(error)
    ? { retry: true, uncertain: false, permanent: false, blocked: true, error }
    : { retry: false, uncertain: false, permanent: true, blocked: false, error };
  if (heal) out.heal = heal;
  return out;
}
