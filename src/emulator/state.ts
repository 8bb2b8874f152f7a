/**
 * The in-process face of the emulator: what tests read (channels, messages, threads, calls) and the
 * controls they pull (faults, archive/delete, edit windows, messages from humans, reset).
 * The HTTP inspection API (inspect.ts) is a thin JSON wrapper over this.
 */
import { CallLog } from './call-log.js';
import { Faults } from './faults.js';
import { RateLimiter } from './rate-limit.js';
import { contentView, messageView } from './render.js';
import { type StoredMessage, Workspace, channelKey } from './store.js';
import type {
  CallRecord,
  CallStats,
  ChannelView,
  FaultSettings,
  MessageView,
  RateLimitTable,
  ScriptedFault,
  ThreadView,
} from './types.js';

export interface FaultControls {
  set(settings: Partial<FaultSettings>): void;
  get(): FaultSettings;
  /** Queues a one-shot fault for the next `count` calls of `method` ('*' for any). */
  failNext(method: string, fault?: ScriptedFault): void;
  pending(): Array<{ method: string } & ScriptedFault>;
  /** Back to no faults at all. */
  clear(): void;
}

export interface HumanMessage {
  text: string;
  user?: string;
  thread_ts?: string;
  blocks?: Array<Record<string, unknown>>;
}

export class EmulatorState {
  readonly store: Workspace;
  readonly log = new CallLog();
  readonly limiter: RateLimiter;
  readonly faultsImpl: Faults;
  readonly faults: FaultControls;

  constructor(
    private readonly opts: {
      autoCreateChannels: boolean;
      channels: string[];
      rateLimits: RateLimitTable;
      random: () => number;
      initialFaults: Partial<FaultSettings>;
      now: () => number;
    },
  ) {
    this.store = new Workspace(opts.autoCreateChannels, opts.channels);
    this.limiter = new RateLimiter(opts.rateLimits);
    this.faultsImpl = new Faults(opts.random, opts.initialFaults);
    const f = this.faultsImpl;
    this.faults = {
      set: (s) => f.set(s),
      get: () => f.get(),
      failNext: (method, fault = { status: 503 }) => f.failNext(method, fault),
      pending: () => f.pending(),
      clear: () => f.clear(),
    };
  }

  channels(): ChannelView[] {
    return this.store.all().map((c) => ({
      id: c.id,
      archived: c.archived,
      deleted: c.deleted,
      message_count: c.messages.filter((m) => !m.deleted).length,
    }));
  }

  /** Every message ever stored in the channel, oldest first, deleted and orphaned ones flagged. */
  messages(channel: string): MessageView[] {
    return (this.store.get(channel)?.messages ?? []).map(messageView);
  }

  /** Each top-level message with its (non-orphan) replies, oldest first. */
  threads(channel: string): ThreadView[] {
    const c = this.store.get(channel);
    if (!c) return [];
    return c.messages
      .filter((m) => !m.orphan && (m.threadTs === undefined || m.threadTs === m.ts))
      .map((parent) => ({
        parent: messageView(parent),
        replies: this.store.replies(c, parent.ts).map(messageView),
      }));
  }

  calls(filter: { method?: string; channel?: string } = {}): CallRecord[] {
    const channel = filter.channel === undefined ? undefined : channelKey(filter.channel);
    return this.log.list({ method: filter.method, channel });
  }

  stats(): CallStats {
    return this.log.stats();
  }

  /** Most successful calls of `method` (in `channel`) inside any `windowMs` window. */
  maxRateObserved(method: string, channel?: string, windowMs = 1000): number {
    return this.log.maxRateObserved(
      method,
      channel === undefined ? undefined : channelKey(channel),
      windowMs,
    );
  }

  rateLimits(): RateLimitTable {
    return this.limiter.rules();
  }

  createChannel(channel: string): void {
    this.store.createChannel(channel);
  }

  archiveChannel(channel: string, archived = true): void {
    this.store.createChannel(channel).archived = archived;
  }

  unarchiveChannel(channel: string): void {
    this.archiveChannel(channel, false);
  }

  /** The channel answers channel_not_found from now on; its messages stay inspectable. */
  deleteChannel(channel: string): void {
    const c = this.store.get(channel) ?? this.store.createChannel(channel);
    c.deleted = true;
  }

  /** Deletes a message as an admin would, whoever posted it. Returns false when there is none. */
  deleteMessage(channel: string, ts: string): boolean {
    const message = this.store.get(channel)?.byTs.get(ts);
    if (!message || message.deleted) return false;
    message.deleted = true;
    return true;
  }

  /** From now on chat.update of this message answers edit_window_closed. */
  setEditWindowClosed(ts: string, channel?: string, closed = true): boolean {
    const message =
      channel === undefined ? this.store.findAnywhere(ts) : this.store.get(channel)?.byTs.get(ts);
    if (!message) return false;
    message.editWindowClosed = closed;
    return true;
  }

  /** A message from a person (not the bot): the bot cannot update or delete it. Returns its ts. */
  postAsUser(channel: string, human: HumanMessage): string {
    const c = this.store.get(channel) ?? this.store.createChannel(channel);
    const ts = this.store.nextTs(this.opts.now());
    const parent = human.thread_ts === undefined ? undefined : c.byTs.get(human.thread_ts);
    const content = { text: human.text, blocks: human.blocks };
    const message: StoredMessage = {
      channel: c.id,
      ts,
      threadTs: human.thread_ts,
      content,
      original: contentView(content),
      edits: [],
      replyBroadcast: false,
      user: human.user ?? 'U0HUMAN001',
      postedAtMs: this.opts.now(),
      reactions: new Map(),
      deleted: false,
      editWindowClosed: false,
      orphan: human.thread_ts !== undefined && parent === undefined,
      threadTsWasReply: false,
    };
    this.store.add(c, message);
    return ts;
  }

  /** Empties the workspace, the call log, the rate buckets and every fault. */
  reset(): void {
    this.store.reset();
    this.log.reset();
    this.limiter.reset();
    this.faultsImpl.clear();
    this.faultsImpl.set(this.opts.initialFaults);
  }
}
