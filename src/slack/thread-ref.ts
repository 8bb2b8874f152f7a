import { createHash } from 'node:crypto';
import { CHANNEL_ID } from '../config/channel-id.js';
import { UsageError } from '../errors.js';

/**
 * A Slack thread written as one printable string, `CHANNEL:TS` (e.g. `C123:1700000000.000100`),
 * so it survives between separate CI jobs and command lines.
 */
export interface ThreadRef {
  channel: string;
  ts: string;
}

const TS = /^\d{9,11}\.\d{6}$/;

export function parseThreadRef(text: string, flag = '--slack-thread'): ThreadRef {
  const i = text.lastIndexOf(':');
  const channel = text.slice(0, i).trim();
  const ts = text.slice(i + 1).trim();
  if (i <= 0 || !CHANNEL_ID.test(channel) || !TS.test(ts)) {
    throw new UsageError(
      `${flag}: "${text}" is not a thread reference CHANNEL_ID:TS (like C123:1700000000.000100)`,
    );
  }
  return { channel, ts };
}

export function formatThreadRef(ref: ThreadRef): string {
  return `${ref.channel}:${ref.ts}`;
}

/** The store id of a note thread, the same for the same Slack thread in every process. */
export function noteThreadId(key: string): string {
  return `note_${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
}
