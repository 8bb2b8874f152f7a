import type { OutboxItem, ThreadRecord } from '../store/types.js';
import type { HistoryMessage, SlackClient } from './types.js';

/**
 * Slack has no idempotency key for posts, so a post whose response was lost is looked for before
 * it is posted again: every message we post carries metadata with its outbox id. Parents are
 * searched in channel history since shortly before the item was created, replies in the thread.
 * Returns the ts of the message when it was posted.
 */
export async function findPosted(
  client: SlackClient,
  item: OutboxItem,
  thread: ThreadRecord<unknown>,
): Promise<string | undefined> {
  const match = (m: HistoryMessage) => Number(m.metadata?.event_payload?.outbox_id) === item.id;
  const maxPages = 10;
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res =
      item.kind === 'reply' && thread.parentTs
        ? await client.replies({ channel: thread.channel, ts: thread.parentTs, limit: 200, cursor })
        : await client.history({
            channel: item.channel,
            oldest: ((item.createdAt - 60_000) / 1000).toFixed(6),
            limit: 200,
            cursor,
          });
    const hit = res.messages.find(match);
    if (hit) return hit.ts;
    if (!res.nextCursor) return undefined;
    cursor = res.nextCursor;
  }
  return undefined;
}
