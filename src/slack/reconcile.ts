import type { OutboxItem, ThreadRecord } from '../store/types.js';
import type { HistoryMessage, SlackClient } from './types.js';

/** Slack message metadata event type of every message the thread engine posts. */
export const METADATA_EVENT = 'alert_threader_message';

/**
 * Slack has no idempotency key for posts, so a post whose response was lost is looked for before
 * it is posted again: every message we post carries metadata naming this installation (a random
 * id of the store), the thread and the outbox row. All three must match — outbox ids are small
 * numbers that another installation posting to the same channel will have too. Parents are
 * searched in channel history since shortly before the row was created, replies in their thread.
 */
export async function findPosted(
  client: SlackClient,
  item: OutboxItem,
  thread: ThreadRecord<unknown>,
  installation: string,
): Promise<{ ts: string; channel: string } | undefined> {
  const match = (m: HistoryMessage) => {
    const p = m.metadata?.event_payload;
    return (
      m.metadata?.event_type === METADATA_EVENT &&
      p?.installation === installation &&
      p?.thread_id === thread.id &&
      Number(p?.outbox_id) === item.id
    );
  };
  const reply = item.kind === 'reply' && thread.parentTs;
  const channel = reply ? thread.channel : item.channel;
  const maxPages = 10;
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = reply
      ? await client.replies({ channel, ts: thread.parentTs as string, limit: 200, cursor })
      : await client.history({
          channel,
          oldest: ((item.createdAt - 60_000) / 1000).toFixed(6),
          limit: 200,
          cursor,
        });
    const hit = res.messages.find(match);
    if (hit) return { ts: hit.ts, channel };
    if (!res.nextCursor) return undefined;
    cursor = res.nextCursor;
  }
  return undefined;
}
