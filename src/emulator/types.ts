/**
 * Public types of the Slack Web API emulator: options, the inspection views, fault settings.
 * Field names of the views follow Slack's own snake_case so a test can compare a view with what
 * the Web API returned.
 */

/** One rate-limit rule: a token bucket per method, or per (method, channel). */
export interface RateLimitRule {
  perChannel: boolean;
  ratePerSec: number;
  burst: number;
}

export type RateLimitTable = Record<string, RateLimitRule>;

export interface SlackEmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** When set, only this token is accepted; otherwise any token starting with `xoxb-`. */
  token?: string;
  /** Per-method overrides of the default limits (`'off'` for one method), or `'off'` for all. */
  rateLimits?: 'off' | Record<string, RateLimitRule | 'off'>;
  /** Clock in epoch milliseconds; drives ts values, rate limits and the call log. Default Date.now. */
  now?: () => number;
  /** Uniform [0,1) source for random faults; pass seededRandom(n) for reproducible runs. */
  random?: () => number;
  teamName?: string;
  teamId?: string;
  botUserId?: string;
  botId?: string;
  /** Default true: any channel string names a channel that exists on first use. */
  autoCreateChannels?: boolean;
  /** Channels that exist from the start (IDs or names). */
  channels?: string[];
  /** Initial fault settings. */
  faults?: Partial<FaultSettings>;
}

/** Random faults, applied to every API call (or to `methods` only). */
export interface FaultSettings {
  /** Probability of an HTTP 5xx answer; the call has no effect. */
  errorRate: number;
  /** Status used for `errorRate` faults. Default 503. */
  errorStatus: number;
  /** Fixed delay, or a [min, max] range drawn from `random`, before each call is handled. */
  latencyMs: number | [number, number];
  /** Probability that a call takes effect but its response is never delivered (socket destroyed). */
  dropResponseRate: number;
  /** Restrict random faults to these methods; empty means all. */
  methods: string[];
}

/** A scripted fault for the next `count` calls of one method (`'*'` for any method). */
export interface ScriptedFault {
  /** HTTP status; 429 answers `ratelimited` with Retry-After, 5xx answers an edge error page. */
  status?: number;
  /** Slack error string answered with HTTP 200 `{ok:false,error}`. */
  error?: string;
  /** Retry-After seconds for status 429. Default 1. */
  retryAfter?: number;
  /** The call takes effect but the response is lost. */
  drop?: boolean;
  /** Default 1. */
  count?: number;
}

export interface ChannelView {
  id: string;
  archived: boolean;
  deleted: boolean;
  message_count: number;
}

export interface MessageContentView {
  text: string;
  blocks?: Array<Record<string, unknown>>;
  attachments?: Array<Record<string, unknown>>;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface EditView extends MessageContentView {
  at_ms: number;
}

export interface MessageView extends MessageContentView {
  channel: string;
  ts: string;
  thread_ts?: string;
  reply_broadcast: boolean;
  /** The bot user for API posts; the given user for messages seeded with postAsUser. */
  user: string;
  /** True for messages posted through the Web API (by any accepted token). */
  by_bot: boolean;
  posted_at_ms: number;
  original: MessageContentView;
  edits: EditView[];
  reactions: Array<{ name: string; users: string[]; count: number }>;
  deleted: boolean;
  edit_window_closed: boolean;
  /** A reply whose thread_ts names no message: Slack accepts it, and nobody ever sees it. */
  orphan: boolean;
  /** The post named a reply's ts as thread_ts (the project must always use the parent's ts). */
  thread_ts_was_reply: boolean;
  unfurl_links?: boolean;
  unfurl_media?: boolean;
  mrkdwn?: boolean;
}

export interface ThreadView {
  parent: MessageView;
  replies: MessageView[];
}

export interface CallRecord {
  seq: number;
  method: string;
  channel?: string;
  at_ms: number;
  http_status: number;
  /** Slack's `ok`; false for HTTP errors and dropped-before-effect faults. */
  ok: boolean;
  /** Slack error string, `http_<status>` for edge errors, undefined when ok. */
  error?: string;
  /** The call took effect but its response was not delivered. */
  dropped: boolean;
  /** ts of the message the call created or touched, when there is one. */
  ts?: string;
}

export interface CallStats {
  total: number;
  ok: number;
  ratelimited: number;
  server_errors: number;
  dropped: number;
  by_method: Record<string, { total: number; ok: number; ratelimited: number }>;
}
