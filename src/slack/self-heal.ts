import type { ParentMove, ParentMoveReason } from '../store/storm-types.js';
import type { ThreadRecord, ThreadStore } from '../store/types.js';
import type { Block, SlackClient, SlackMessage } from './types.js';
import { link } from './render/escape.js';
import { context } from './render/format.js';
import { fitMessage } from './render/limits.js';

/**
 * Self-healing threads: what a fresh parent says about the one it replaces, and where to find the
 * old thread. The engine (thread-engine.ts) decides when; failure-plan.ts decides whether.
 */

/** The line a moved parent carries for the rest of its life (every later edit renders it again). */
export function moveNotice(move: Pick<ParentMove, 'reason' | 'fromChannel' | 'permalink'>): {
  mrkdwn: string;
  plain: string;
} {
  const old = (label: string) => (move.permalink ? ` ${link(move.permalink, label)}` : '');
  switch (move.reason) {
    case 'parent_deleted':
      return {
        mrkdwn: `↪️ The first message of this thread was deleted, so the thread continues here.${old('Earlier replies')}`,
        plain: 'the first message of this thread was deleted; continued here',
      };
    case 'edit_refused':
      return {
        mrkdwn: `↪️ Slack no longer lets us edit the first message of this thread, so it continues here.${old('Previous message')}`,
        plain: 'Slack refused to edit the previous message; continued here',
      };
    case 'channel_archived':
      return {
        mrkdwn: `📦 Posted here because <#${move.fromChannel}> is archived.${old('Earlier thread')}`,
        plain: `posted here because #${move.fromChannel} is archived`,
      };
    case 'channel_not_found':
      return {
        mrkdwn: `📦 Posted here because channel ${move.fromChannel} was not found.${old('Earlier thread')}`,
        plain: `posted here because channel ${move.fromChannel} was not found`,
      };
  }
}

/** `msg` with the notice of its latest move: first under the header, and in the fallback text. */
export function withMoveNotice(msg: SlackMessage, moves: ParentMove[]): SlackMessage {
  const last = moves[moves.length - 1];
  if (!last) return msg;
  const notice = moveNotice(last);
  const block: Block = context(notice.mrkdwn);
  const out: SlackMessage = { ...msg, text: `${msg.text} (${notice.plain})` };
  if (msg.blocks && msg.blocks.length > 0) out.blocks = [...msg.blocks, block];
  else if (msg.attachments && msg.attachments.length > 0) {
    const [first, ...rest] = msg.attachments;
    out.attachments = [{ ...first!, blocks: [block, ...(first!.blocks ?? [])] }, ...rest];
  } else out.blocks = [block];
  return fitMessage(out);
}

/**
 * A link to the thread being left: its parent if Slack still has it, else its latest reply in that
 * channel (a deleted parent keeps its replies), else none — a missing link never delays the alert.
 */
export async function oldThreadLink(
  client: SlackClient,
  store: Pick<ThreadStore, 'messages'>,
  thread: ThreadRecord<unknown>,
): Promise<string | null> {
  if (!thread.parentTs) return null;
  try {
    return await client.getPermalink(thread.channel, thread.parentTs);
  } catch {
    // fall through to a reply
  }
  const replies = (await store.messages(thread.id)).filter(
    (m) => m.kind === 'reply' && m.channel === thread.channel,
  );
  const last = replies[replies.length - 1];
  if (!last) return null;
  try {
    return await client.getPermalink(thread.channel, last.ts);
  } catch {
    return null;
  }
}

/** Metric label of a move: parents replaced in place, or threads sent to the default channel. */
export function isChannelMove(reason: ParentMoveReason): boolean {
  return reason === 'channel_archived' || reason === 'channel_not_found';
}

/**
 * A deleted parent is noticed only at the next edit, and the replies posted since the last edit
 * landed under a parent nobody sees (decide() always edits the parent after replying, so those are
 * exactly the replies at risk). They are queued again for the fresh parent: a resolve is never lost
 * to a deleted parent. Returns how many were queued.
 */
export async function requeueRepliesAtRisk(
  store: Pick<ThreadStore, 'messages' | 'outbox' | 'enqueue'>,
  threadId: string,
  fromChannel: string,
  now: number,
): Promise<number> {
  const messages = await store.messages(threadId);
  const lastParent = Math.max(
    0,
    ...messages.filter((m) => m.kind !== 'reply' && m.channel === fromChannel).map((m) => m.outboxId),
  );
  const atRisk = new Set(
    messages
      .filter((m) => m.kind === 'reply' && m.channel === fromChannel && m.outboxId > lastParent)
      .map((m) => m.outboxId),
  );
  if (atRisk.size === 0) return 0;
  const rows = (await store.outbox(threadId)).filter((o) => atRisk.has(o.id));
  for (const row of rows) await store.enqueue(threadId, 'reply', row.payload, now);
  return rows.length;
}
