/**
 * The emulated workspace: channels and their messages, in memory. No Slack rules here beyond
 * what storage needs (unique increasing ts, lookups); the method handlers apply the rules.
 */
import { formatTs, nextTsMicros } from './ts-clock.js';
import type { EditView, MessageContentView } from './types.js';
import type { Block, Metadata } from './validate.js';

export interface MessageContent {
  text: string;
  blocks?: Block[];
  attachments?: Block[];
  metadata?: Metadata;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  content: MessageContent;
  original: MessageContentView;
  edits: EditView[];
  /** ts-shaped time of the last edit, as Slack reports it in `edited.ts`. */
  editedTs?: string;
  replyBroadcast: boolean;
  user: string;
  /** The API token that posted it; undefined for messages seeded as a human. Never leaves the process. */
  authorToken?: string;
  postedAtMs: number;
  /** Reaction name -> users, in the order reactions were first added. */
  reactions: Map<string, string[]>;
  deleted: boolean;
  editWindowClosed: boolean;
  orphan: boolean;
  threadTsWasReply: boolean;
  unfurlLinks?: boolean;
  unfurlMedia?: boolean;
  mrkdwn?: boolean;
}

export interface Channel {
  id: string;
  /** Set when the channel was first reached by name (chat.postMessage with "#alerts"). */
  name?: string;
  archived: boolean;
  deleted: boolean;
  /** Ascending by ts. */
  messages: StoredMessage[];
  byTs: Map<string, StoredMessage>;
}

/** Slack treats "#alerts" and "alerts" as the same channel name. */
export function channelKey(raw: string): string {
  return raw.trim().replace(/^#/, '');
}

/** Channel IDs: C… public, G… private, D… direct messages (underscores allowed for test names). */
export function isChannelId(raw: string): boolean {
  return /^[CGD][A-Z0-9_]+$/.test(raw.trim());
}

/** A stable, Slack-shaped ID for a channel first reached by name. */
function idForName(name: string): string {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `C${h.toString(36).toUpperCase().padStart(8, '0')}`;
}

export class Workspace {
  private channelsById = new Map<string, Channel>();
  private lastMicros = 0;

  constructor(
    private readonly autoCreate: boolean,
    private readonly initialChannels: string[],
  ) {
    this.reset();
  }

  reset(): void {
    this.channelsById = new Map();
    this.lastMicros = 0;
    for (const id of this.initialChannels) this.createChannel(id);
  }

  /**
   * The channel a method may use, creating it on first use when allowed; undefined means
   * channel_not_found. Like Slack, only chat.postMessage takes a name (`byName`); every other
   * method needs the channel's ID, which postMessage answers with.
   */
  resolve(raw: string | undefined, opts: { byName?: boolean } = {}): Channel | undefined {
    if (raw === undefined || channelKey(raw) === '') return undefined;
    if (!isChannelId(raw)) {
      if (!opts.byName) return undefined;
      const name = channelKey(raw).toLowerCase();
      const named = this.byName(name);
      if (named) return named.deleted ? undefined : named;
      if (!this.autoCreate) return undefined;
      const created = this.createChannel(idForName(name));
      created.name = name;
      return created;
    }
    const existing = this.channelsById.get(channelKey(raw));
    if (existing) return existing.deleted ? undefined : existing;
    return this.autoCreate ? this.createChannel(raw) : undefined;
  }

  private byName(name: string): Channel | undefined {
    return [...this.channelsById.values()].find((c) => c.name === name);
  }

  /** Any channel ever seen, deleted or not, by ID or name (inspection). */
  get(raw: string): Channel | undefined {
    return isChannelId(raw)
      ? this.channelsById.get(channelKey(raw))
      : this.byName(channelKey(raw).toLowerCase());
  }

  all(): Channel[] {
    return [...this.channelsById.values()];
  }

  createChannel(raw: string): Channel {
    const id = channelKey(raw);
    const existing = this.channelsById.get(id);
    if (existing) {
      existing.deleted = false;
      return existing;
    }
    const channel: Channel = { id, archived: false, deleted: false, messages: [], byTs: new Map() };
    this.channelsById.set(id, channel);
    return channel;
  }

  nextTs(nowMs: number): string {
    this.lastMicros = nextTsMicros(nowMs, this.lastMicros);
    return formatTs(this.lastMicros);
  }

  add(channel: Channel, message: StoredMessage): void {
    channel.messages.push(message);
    channel.byTs.set(message.ts, message);
  }

  /** A live (not deleted) message. */
  find(channel: Channel, ts: string | undefined): StoredMessage | undefined {
    if (ts === undefined) return undefined;
    const message = channel.byTs.get(ts);
    return message && !message.deleted ? message : undefined;
  }

  /** Every reply filed under a parent ts, oldest first (deleted ones included; callers filter). */
  replies(channel: Channel, parentTs: string): StoredMessage[] {
    return channel.messages.filter((m) => m.threadTs === parentTs && m.ts !== parentTs && !m.orphan);
  }

  /** Messages that belong in conversations.history: top-level and broadcast replies, oldest first. */
  timeline(channel: Channel): StoredMessage[] {
    return channel.messages.filter((m) => {
      if (m.orphan) return false;
      const topLevel = m.threadTs === undefined || m.threadTs === m.ts;
      if (m.deleted) return topLevel && this.replies(channel, m.ts).some((r) => !r.deleted);
      return topLevel || m.replyBroadcast;
    });
  }

  findAnywhere(ts: string): StoredMessage | undefined {
    for (const channel of this.channelsById.values()) {
      const message = channel.byTs.get(ts);
      if (message) return message;
    }
    return undefined;
  }
}
