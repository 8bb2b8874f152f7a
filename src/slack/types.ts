/**
 * The SlackClient seam: the few Web API methods the project uses, with Slack's own argument and
 * response shapes. slack/web-client.ts implements it over @slack/web-api; tests and the embedded
 * local Slack point that client at the emulator (src/emulator) through `slackApiUrl`.
 * Failures throw SlackApiError (errors.ts) carrying Slack's error string and Retry-After.
 */

/** A Block Kit block; kept loose on purpose, the renderer owns its exact shape. */
export type Block = Record<string, unknown>;

/** Slack message metadata (event_type + event_payload), used to find our own messages again. */
export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, string | number | boolean>;
}

/** A rendered message: what the renderer produces and the client sends. */
export interface SlackMessage {
  /** Plain-text fallback (notifications, screen readers). */
  text: string;
  blocks?: Block[];
  /** Legacy attachments carry the severity colour bar. */
  attachments?: Array<{ color: string; blocks?: Block[]; fallback?: string }>;
}

export interface PostMessageArgs extends SlackMessage {
  channel: string;
  thread_ts?: string;
  reply_broadcast?: boolean;
  metadata?: MessageMetadata;
  unfurl_links?: boolean;
  unfurl_media?: boolean;
}

export interface UpdateMessageArgs extends SlackMessage {
  channel: string;
  ts: string;
  metadata?: MessageMetadata;
}

export interface HistoryMessage {
  ts: string;
  thread_ts?: string;
  text?: string;
  user?: string;
  bot_id?: string;
  metadata?: MessageMetadata;
}

export interface SlackClient {
  authTest(): Promise<{ team: string; user: string; bot_id?: string; url: string }>;
  postMessage(args: PostMessageArgs): Promise<{ channel: string; ts: string }>;
  update(args: UpdateMessageArgs): Promise<{ channel: string; ts: string }>;
  getPermalink(channel: string, ts: string): Promise<string>;
  /** conversations.history with include_all_metadata, newest first, one page. */
  history(args: { channel: string; oldest?: string; limit?: number; cursor?: string }): Promise<{
    messages: HistoryMessage[];
    nextCursor?: string;
  }>;
  /** conversations.replies with include_all_metadata; the parent comes first. */
  replies(args: { channel: string; ts: string; limit?: number; cursor?: string }): Promise<{
    messages: HistoryMessage[];
    nextCursor?: string;
  }>;
  addReaction(channel: string, ts: string, name: string): Promise<void>;
  /** chat.delete of a message this bot posted (an extra parent a lost heal race left behind). */
  deleteMessage(channel: string, ts: string): Promise<void>;
}
