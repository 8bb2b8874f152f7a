/**
 * Shared by the emulator's own tests: a real @slack/web-api client configured the way the project
 * configures it (no retries, 429s rejected), a fake clock, and error unpacking.
 */
import { LogLevel, type Logger, WebClient } from '@slack/web-api';
import type { SlackEmulator } from './server.js';

const quiet: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/** A client as the project builds one; pass '' for a client that sends no token at all. */
export function clientFor(emu: SlackEmulator, token = 'xoxb-test'): WebClient {
  return new WebClient(token, {
    slackApiUrl: emu.url,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logger: quiet,
  });
}

export function fakeClock(startMs = 1_700_000_000_000) {
  let t = startMs;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

export interface CaughtSlackError {
  code: string;
  /** Slack's error string for platform errors. */
  error?: string;
  data?: Record<string, unknown>;
  retryAfter?: number;
  statusCode?: number;
}

/** Awaits a call that must fail and returns what @slack/web-api reported. */
export async function failure(call: Promise<unknown>): Promise<CaughtSlackError> {
  try {
    await call;
  } catch (err) {
    const e = err as {
      code: string;
      data?: Record<string, unknown>;
      retryAfter?: number;
      statusCode?: number;
    };
    const out: CaughtSlackError = { code: e.code };
    if (e.data) {
      out.data = e.data;
      out.error = e.data.error as string;
    }
    if (e.retryAfter !== undefined) out.retryAfter = e.retryAfter;
    if (e.statusCode !== undefined) out.statusCode = e.statusCode;
    return out;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Slack's error string of a call that must fail with `{ok:false}`. */
export async function slackError(call: Promise<unknown>): Promise<string | undefined> {
  return (await failure(call)).error;
}
