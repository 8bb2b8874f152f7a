/**
 * Message objects as Slack's Web API returns them (protocol: docs.slack.dev/reference/objects/message-object),
 * and the richer inspection view the emulator offers tests.
 */
import type { MessageContent, StoredMessage } from './store.js';
import type { MessageContentView, MessageView } from './types.js';
import type { Block } from './validate.js';

export interface Identity {
  teamId: string;
  teamName: string;
  botUserId: string;
  botId: string;
  appId: string;
}

/**
 * Slack fills in a `block_id` for blocks sent without one; deterministic here so two runs of the
 * same test store identical messages.
 */
export function withBlockIds(blocks: Block[] | undefined, seed: string): Block[] | undefined {
  return blocks?.map((block, i) =>
    block.block_id === undefined ? { ...block, block_id: shortHash(`${seed}/${i}`) } : block,
  );
}

/** Slack numbers attachments from 1 in what it returns. */
export function withAttachmentIds(attachments: Block[] | undefined): Block[] | undefined {
  return attachments?.map((a, i) => ({ ...a, id: i + 1 }));
}

function shortHash(input: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) h = Math.imul(h ^ input.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36).slice(0, 5).padStart(5, '0');
}

export interface RenderOptions {
  includeMetadata: boolean;
  /** Live replies of this message, when it is a thread parent. */
  replies?: StoredMessage[];
}

export function apiMessage(m: StoredMessage, id: Identity, opts: RenderOptions): Record<string, unknown> {
  const replies = opts.replies ?? [];
  const thread = threadFields(m, replies);
  if (m.deleted) {
    // A deleted parent that still has replies stays in the channel as a tombstone.
    return {
      type: 'message',
      subtype: 'tombstone',
      text: 'This message was deleted.',
      user: 'USLACKBOT',
      hidden: true,
      ts: m.ts,
      ...thread,
    };
  }
  const out: Record<string, unknown> = { type: 'message' };
  if (m.replyBroadcast && m.threadTs !== undefined) out.subtype = 'thread_broadcast';
  out.text = m.content.text;
  out.user = m.user;
  if (m.authorToken !== undefined) {
    out.bot_id = id.botId;
    out.app_id = id.appId;
  }
  out.ts = m.ts;
  out.team = id.teamId;
  if (m.authorToken !== undefined) {
    out.bot_profile = {
      id: id.botId,
      app_id: id.appId,
      name: 'threader',
      deleted: false,
      team_id: id.teamId,
    };
  }
  if (m.content.blocks) out.blocks = m.content.blocks;
  if (m.content.attachments) out.attachments = m.content.attachments;
  if (m.editedTs !== undefined) out.edited = { user: m.user, ts: m.editedTs };
  Object.assign(out, thread);
  if (m.threadTs !== undefined && m.threadTs !== m.ts) out.parent_user_id = m.user;
  if (m.reactions.size > 0) {
    out.reactions = [...m.reactions].map(([name, users]) => ({
      name,
      users: [...users],
      count: users.length,
    }));
  }
  if (opts.includeMetadata && m.content.metadata) out.metadata = m.content.metadata;
  return out;
}

function threadFields(m: StoredMessage, replies: StoredMessage[]): Record<string, unknown> {
  if (m.threadTs !== undefined && m.threadTs !== m.ts) return { thread_ts: m.threadTs };
  if (replies.length === 0) return {};
  const users = [...new Set(replies.map((r) => r.user))];
  return {
    thread_ts: m.ts,
    reply_count: replies.length,
    reply_users_count: users.length,
    latest_reply: replies[replies.length - 1]?.ts,
    reply_users: users,
    is_locked: false,
    subscribed: false,
  };
}

export function contentView(c: MessageContent): MessageContentView {
  const view: MessageContentView = { text: c.text };
  if (c.blocks) view.blocks = c.blocks;
  if (c.attachments) view.attachments = c.attachments;
  if (c.metadata) view.metadata = c.metadata;
  return view;
}

export function messageView(m: StoredMessage): MessageView {
  const view: MessageView = {
    channel: m.channel,
    ts: m.ts,
    ...contentView(m.content),
    reply_broadcast: m.replyBroadcast,
    user: m.user,
    by_bot: m.authorToken !== undefined,
    posted_at_ms: m.postedAtMs,
    original: m.original,
    edits: m.edits,
    reactions: [...m.reactions].map(([name, users]) => ({ name, users: [...users], count: users.length })),
    deleted: m.deleted,
    edit_window_closed: m.editWindowClosed,
    orphan: m.orphan,
    thread_ts_was_reply: m.threadTsWasReply,
  };
  if (m.threadTs !== undefined) view.thread_ts = m.threadTs;
  if (m.unfurlLinks !== undefined) view.unfurl_links = m.unfurlLinks;
  if (m.unfurlMedia !== undefined) view.unfurl_media = m.unfurlMedia;
  if (m.mrkdwn !== undefined) view.mrkdwn = m.mrkdwn;
  return view;
}
