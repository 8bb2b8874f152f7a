import type { ParentMove } from '../store/storm-types.js';
import type { MessageRecord, OutboxItem, ThreadRecord, ThreadStore } from '../store/types.js';
import type { ThreadRenderer } from './engine-types.js';
import { METADATA_EVENT } from './reconcile.js';
import { withMoveNotice } from './self-heal.js';
import type { SlackClient, SlackMessage } from './types.js';

/**
 * The messages the thread engine sends for an outbox row, and what the timeline keeps of them once
 * Slack has answered.
 */

/** Every post carries its outbox row in metadata: a lost answer is looked up by it (reconcile.ts). */
export function postMetadata(installation: string, item: OutboxItem, thread: ThreadRecord<unknown>) {
  return {
    event_type: METADATA_EVENT,
    event_payload: { installation, outbox_id: item.id, thread_id: thread.id },
  };
}

/** Alert posts link nothing worth a preview; unfurls would only push the thread down the channel. */
export const QUIET = { unfurl_links: false, unfurl_media: false } as const;

/** The parent as the renderer draws it, plus the notice of where it moved from (self-heal.ts). */
export async function renderParent(
  store: ThreadStore,
  thread: ThreadRecord<unknown>,
  renderer: ThreadRenderer,
  ctx: { now: number; previousPermalink?: string },
  pending?: ParentMove,
): Promise<SlackMessage> {
  const data = renderer.load ? await renderer.load(thread) : undefined;
  const msg = renderer.parent(thread, { ...ctx, data });
  const moves = await store.parentMoves(thread.id);
  return withMoveNotice(msg, pending ? [...moves, pending] : moves);
}

/** The parent of the episode before this one, so a new episode can link its history. */
export async function previousPermalink(
  store: ThreadStore,
  client: SlackClient,
  thread: ThreadRecord<unknown>,
): Promise<string | undefined> {
  if (!thread.previousId) return undefined;
  const prev = await store.getThread(thread.previousId);
  if (!prev?.parentTs) return undefined;
  try {
    return await client.getPermalink(prev.channel, prev.parentTs);
  } catch {
    return undefined; // a missing link is not worth delaying the alert
  }
}

/**
 * The timeline entry an outbox row leaves once Slack has it; `sent.kind` only when the message is
 * not what the row asked for (a heal posts a parent for a reply or an edit).
 */
export function messageRecord(
  item: OutboxItem,
  thread: ThreadRecord<unknown>,
  at: number,
  sent: { ts: string; channel: string; kind?: MessageRecord['kind'] },
  msg: SlackMessage,
): MessageRecord {
  const kind = item.kind === 'post_parent' ? 'parent' : item.kind === 'reply' ? 'reply' : 'edit';
  return {
    threadId: thread.id,
    outboxId: item.id,
    channel: sent.channel,
    ts: sent.ts,
    kind: sent.kind ?? kind,
    text: msg.text,
    blocks: recordedContent(msg),
    at,
  };
}

/** What the timeline keeps of a message: its blocks and, when there are any, its attachments too. */
function recordedContent(msg: SlackMessage): unknown {
  if (!msg.attachments) return msg.blocks ?? null;
  return { blocks: msg.blocks ?? null, attachments: msg.attachments };
}
