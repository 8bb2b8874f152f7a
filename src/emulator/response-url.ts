/**
 * What a POST to a click's response_url does (protocol:
 * https://api.slack.com/interactivity/handling#message_responses): `delete_original: true` deletes
 * the message the button was on, `replace_original: true` replaces it (text, blocks and
 * attachments all taken from the response: what it leaves out is gone), anything else is an
 * ephemeral message only the presser sees — the emulator keeps it in its response log and shows it
 * nowhere. A response_url works up to 5 times within 30 minutes of the click.
 */
import { withAttachmentIds, withBlockIds, contentView } from './render.js';
import type { StoredMessage } from './store.js';
import { formatTs } from './ts-clock.js';
import { hasVisibleContent, readContent } from './validate.js';

export const RESPONSE_URL_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60_000;

/** The message a response_url belongs to (the one whose button was clicked). */
export interface ResponseTarget {
  channel: string;
  ts: string;
  issuedAtMs: number;
  uses: number;
}

export type ResponseEffect = 'replaced' | 'deleted' | 'ephemeral' | 'refused';

export interface ResponseOutcome {
  status: number;
  body: Record<string, unknown>;
  effect: ResponseEffect;
}

const refuse = (status: number, error: string, messages?: string[]): ResponseOutcome => ({
  status,
  body: { ok: false, error, ...(messages ? { response_metadata: { messages } } : {}) },
  effect: 'refused',
});

/**
 * Applies one response to the clicked message. `message` is undefined when it is gone. Error
 * names follow Slack's (`expired_url`, `used_url`, `no_text`, `invalid_blocks`…); Slack does not
 * document an unknown URL's answer, the emulator says `invalid_url`.
 */
export function applyResponse(
  target: ResponseTarget | undefined,
  message: StoredMessage | undefined,
  body: unknown,
  nowMs: number,
): ResponseOutcome {
  if (!target) return refuse(404, 'invalid_url');
  if (nowMs - target.issuedAtMs > RESPONSE_URL_TTL_MS) return refuse(404, 'expired_url');
  if (target.uses >= RESPONSE_URL_USES) return refuse(404, 'used_url');
  if (!body || typeof body !== 'object' || Array.isArray(body)) return refuse(400, 'invalid_payload');
  target.uses++;
  const b = body as Record<string, unknown>;
  if (b.delete_original === true || b.delete_original === 'true') {
    if (!message || message.deleted) return refuse(404, 'message_not_found');
    message.deleted = true;
    return { status: 200, body: { ok: true }, effect: 'deleted' };
  }
  if (b.replace_original === true || b.replace_original === 'true') {
    if (!message || message.deleted) return refuse(404, 'message_not_found');
    const read = readContent({ text: b.text, blocks: b.blocks, attachments: b.attachments });
    if (!read.ok) return refuse(400, read.error, read.messages);
    if (!hasVisibleContent(read.content)) return refuse(400, 'no_text');
    const c = read.content;
    message.content = {
      text: c.text ?? '',
      blocks: emptyToUndefined(withBlockIds(c.blocks, `${message.ts}#${message.edits.length + 1}`)),
      attachments: emptyToUndefined(withAttachmentIds(c.attachments)),
      metadata: message.content.metadata,
    };
    message.editedTs = formatTs(Math.floor(nowMs) * 1000);
    message.edits.push({ at_ms: nowMs, ...contentView(message.content) });
    return { status: 200, body: { ok: true }, effect: 'replaced' };
  }
  if (b.response_type === 'in_channel')
    // A new channel message from a response_url is not emulated: fail loudly rather than pretend.
    return refuse(400, 'emulator_unsupported', ['in_channel responses are not emulated']);
  return { status: 200, body: { ok: true }, effect: 'ephemeral' };
}

function emptyToUndefined<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}
