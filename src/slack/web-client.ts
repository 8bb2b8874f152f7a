import { LogLevel, WebClient, type Logger as SdkLogger } from '@slack/web-api';
import type {
  HistoryMessage,
  MessageMetadata,
  PostMessageArgs,
  SlackClient,
  UpdateMessageArgs,
} from './types.js';
import { SlackApiError } from '../errors.js';
import { toSlackApiError } from './to-slack-api-error.js';

/** The slice of a pino logger the client needs (pino's Logger fits). */
export interface SlackClientLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface WebSlackClientOptions {
  token: string;
  /** Base URL of the Web API ending in `/api/` (Slack's own by default); tests use the emulator's. */
  slackApiUrl?: string;
  /** Per-request deadline; the original service used 10 s. */
  timeoutMs?: number;
  logger?: SlackClientLogger;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * SlackClient over @slack/web-api v8. The SDK neither retries nor queues behind a 429
 * (`rejectRateLimitedCalls`, `retries: 0`): the per-channel scheduler owns both, so one channel's
 * Retry-After never stalls the others. Every failure leaves as a SlackApiError (errors.ts).
 */
export function createWebSlackClient(opts: WebSlackClientOptions): SlackClient {
  const web = new WebClient(opts.token, {
    slackApiUrl: opts.slackApiUrl,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logger: sdkLogger(opts.token, opts.logger),
  });

  async function call(method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      return (await web.apiCall(method, args)) as unknown as Record<string, unknown>;
    } catch (err) {
      const mapped = toSlackApiError(err, method);
      opts.logger?.debug(
        { method, error: mapped.slackError, cause: redact(describe(err), opts.token) },
        'Slack call failed',
      );
      throw mapped;
    }
  }

  return {
    async authTest() {
      const r = await call('auth.test', {});
      return { team: str(r.team), user: str(r.user), bot_id: optStr(r.bot_id), url: str(r.url) };
    },

    async postMessage(args: PostMessageArgs) {
      const r = await call('chat.postMessage', { ...args });
      return { channel: str(r.channel) || args.channel, ts: required(r.ts, 'chat.postMessage') };
    },

    async update(args: UpdateMessageArgs) {
      const r = await call('chat.update', { ...args });
      return { channel: str(r.channel) || args.channel, ts: required(r.ts, 'chat.update') };
    },

    async getPermalink(channel: string, ts: string) {
      const r = await call('chat.getPermalink', { channel, message_ts: ts });
      return required(r.permalink, 'chat.getPermalink');
    },

    async history(args) {
      const r = await call('conversations.history', { ...args, include_all_metadata: true });
      return page(r);
    },

    async replies(args) {
      const r = await call('conversations.replies', { ...args, include_all_metadata: true });
      return page(r);
    },

    async addReaction(channel: string, ts: string, name: string) {
      await call('reactions.add', { channel, timestamp: ts, name });
    },

    async deleteMessage(channel: string, ts: string) {
      await call('chat.delete', { channel, ts });
    },
  };
}

function page(r: Record<string, unknown>): { messages: HistoryMessage[]; nextCursor?: string } {
  const messages = Array.isArray(r.messages) ? r.messages.map(toHistoryMessage) : [];
  const meta = r.response_metadata as { next_cursor?: unknown } | undefined;
  const next = optStr(meta?.next_cursor);
  return next ? { messages, nextCursor: next } : { messages };
}

function toHistoryMessage(m: unknown): HistoryMessage {
  const o = (m ?? {}) as Record<string, unknown>;
  const out: HistoryMessage = { ts: str(o.ts) };
  for (const key of ['thread_ts', 'text', 'user', 'bot_id'] as const) {
    const v = optStr(o[key]);
    if (v !== undefined) out[key] = v;
  }
  const md = o.metadata as Partial<MessageMetadata> | undefined;
  if (md && typeof md.event_type === 'string' && md.event_payload && typeof md.event_payload === 'object') {
    out.metadata = { event_type: md.event_type, event_payload: md.event_payload };
  }
  return out;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const optStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** An `ok: true` answer without the field we need is as good as no answer: the call may have worked. */
function required(v: unknown, method: string): string {
  if (typeof v === 'string' && v !== '') return v;
  throw new SlackApiError('invalid_response', method);
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const original = (err as { original?: unknown }).original;
  return original instanceof Error ? `${err.message}: ${original.message}` : err.message;
}

/** Tokens never reach a log: the configured one verbatim, and anything shaped like a Slack token. */
function redact(s: string, token: string): string {
  const out = token ? s.split(token).join('[redacted]') : s;
  return out.replace(/xox[a-z]-[A-Za-z0-9-]+/g, '[redacted]');
}

/** The SDK's own log lines (response warnings such as message_truncated) go to our logger, redacted. */
function sdkLogger(token: string, logger: SlackClientLogger | undefined): SdkLogger {
  const text = (msg: unknown[]) =>
    redact(msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' '), token);
  return {
    debug: () => {},
    info: () => {},
    // A failed request is reported once, as the SlackApiError the scheduler logs with its thread.
    warn: (...msg: unknown[]) =>
      msg[0] === 'http request failed'
        ? logger?.debug({ component: 'slack-web-api' }, text(msg))
        : logger?.warn({ component: 'slack-web-api' }, text(msg)),
    error: (...msg: unknown[]) => logger?.warn({ component: 'slack-web-api' }, text(msg)),
    setLevel: () => {},
    getLevel: () => LogLevel.WARN,
    setName: () => {},
  };
}
