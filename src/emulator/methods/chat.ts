/**
 * chat.postMessage, chat.update, chat.delete, chat.getPermalink
 * (protocol: docs.slack.dev/reference/methods/chat.*).
 */
import { type Args, bool, str } from '../args.js';
import { apiMessage, contentView, withAttachmentIds, withBlockIds } from '../render.js';
import type { MessageContent, StoredMessage } from '../store.js';
import { formatTs, parseTs, permalinkSegment } from '../ts-clock.js';
import { hasVisibleContent, readContent } from '../validate.js';
import {
  type MethodContext,
  type MethodResult,
  fail,
  invalidArgument,
  liveReplies,
  succeed,
} from './context.js';

const FLAGS = ['reply_broadcast', 'unfurl_links', 'unfurl_media', 'mrkdwn'] as const;

export function postMessage(args: Args, ctx: MethodContext): MethodResult {
  const channel = ctx.store.resolve(str(args, 'channel'), { byName: true });
  if (!channel) return fail('channel_not_found');
  if (channel.archived) return fail('is_archived');
  const read = readContent(args);
  if (!read.ok) return fail(read.error, read.messages);
  if (!hasVisibleContent(read.content)) return fail('no_text');

  const flags: Partial<Record<(typeof FLAGS)[number], boolean>> = {};
  for (const name of FLAGS) {
    const parsed = bool(args, name);
    if (!parsed.ok) return invalidArgument(name, 'must be a boolean');
    if (parsed.value !== undefined) flags[name] = parsed.value;
  }

  const requestedThreadTs = str(args, 'thread_ts') || undefined;
  if (requestedThreadTs !== undefined && parseTs(requestedThreadTs) === undefined) {
    return invalidArgument('thread_ts', 'must be a timestamp');
  }
  // Slack answers ok for a thread_ts that names no message; the reply then shows up nowhere.
  const named = ctx.store.find(channel, requestedThreadTs);
  const namedIsReply = named?.threadTs !== undefined && named.threadTs !== named.ts;
  const threadTs = namedIsReply ? named.threadTs : requestedThreadTs;

  const ts = ctx.store.nextTs(ctx.nowMs);
  const content: MessageContent = {
    text: read.content.text ?? '',
    blocks: withBlockIds(read.content.blocks, ts),
    attachments: withAttachmentIds(read.content.attachments),
    metadata: read.content.metadata,
  };
  const message: StoredMessage = {
    channel: channel.id,
    ts,
    threadTs,
    content,
    original: contentView(content),
    edits: [],
    replyBroadcast: threadTs !== undefined && flags.reply_broadcast === true,
    user: ctx.identity.botUserId,
    authorToken: ctx.token,
    postedAtMs: ctx.nowMs,
    reactions: new Map(),
    deleted: false,
    editWindowClosed: false,
    orphan: requestedThreadTs !== undefined && named === undefined,
    threadTsWasReply: namedIsReply,
    unfurlLinks: flags.unfurl_links,
    unfurlMedia: flags.unfurl_media,
    mrkdwn: flags.mrkdwn,
  };
  ctx.store.add(channel, message);
  return succeed(
    { channel: channel.id, ts, message: apiMessage(message, ctx.identity, { includeMetadata: true }) },
    ts,
  );
}

export function update(args: Args, ctx: MethodContext): MethodResult {
  const channel = ctx.store.resolve(str(args, 'channel'));
  if (!channel) return fail('channel_not_found');
  if (channel.archived) return fail('is_archived');
  const message = ctx.store.find(channel, str(args, 'ts'));
  if (!message) return fail('message_not_found');
  const read = readContent(args);
  if (!read.ok) return fail(read.error, read.messages);
  const c = read.content;
  if (c.text === undefined && c.blocks === undefined && c.attachments === undefined) return fail('no_text');
  if (message.authorToken === undefined || message.authorToken !== ctx.token)
    return fail('cant_update_message');
  if (message.editWindowClosed) return fail('edit_window_closed');

  // Absent blocks/attachments/metadata keep their old value; an empty array removes them.
  const old = message.content;
  const next: MessageContent = {
    text: c.text ?? old.text,
    blocks:
      c.blocks === undefined
        ? old.blocks
        : emptyToUndefined(withBlockIds(c.blocks, `${message.ts}#${message.edits.length + 1}`)),
    attachments:
      c.attachments === undefined ? old.attachments : emptyToUndefined(withAttachmentIds(c.attachments)),
    metadata: c.metadata ?? old.metadata,
  };
  message.content = next;
  message.editedTs = formatTs(Math.floor(ctx.nowMs) * 1000);
  message.edits.push({ at_ms: ctx.nowMs, ...contentView(next) });
  const rendered = apiMessage(message, ctx.identity, {
    includeMetadata: true,
    replies: liveReplies(ctx, channel, message.ts),
  });
  return succeed({ channel: channel.id, ts: message.ts, text: next.text, message: rendered }, message.ts);
}

function emptyToUndefined<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

export function deleteMessage(args: Args, ctx: MethodContext): MethodResult {
  const channel = ctx.store.resolve(str(args, 'channel'));
  if (!channel) return fail('channel_not_found');
  const message = ctx.store.find(channel, str(args, 'ts'));
  if (!message) return fail('message_not_found');
  if (message.authorToken === undefined || message.authorToken !== ctx.token)
    return fail('cant_delete_message');
  message.deleted = true;
  return succeed({ channel: channel.id, ts: message.ts }, message.ts);
}

export function getPermalink(args: Args, ctx: MethodContext): MethodResult {
  const channel = ctx.store.resolve(str(args, 'channel'));
  if (!channel) return fail('channel_not_found');
  const message = ctx.store.find(channel, str(args, 'message_ts'));
  if (!message) return fail('message_not_found');
  let permalink = `${ctx.workspaceUrl}archives/${encodeURIComponent(channel.id)}/${permalinkSegment(message.ts)}`;
  if (message.threadTs !== undefined && message.threadTs !== message.ts) {
    permalink += `?thread_ts=${message.threadTs}&cid=${encodeURIComponent(channel.id)}`;
  }
  return succeed({ channel: channel.id, permalink }, message.ts);
}
