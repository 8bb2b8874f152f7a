import type { LoadedConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
import { policies } from '../retry/policy.js';
import { isPostgresUrl, openStore } from '../store/open.js';
import { replicaName } from '../store/replica-name.js';
import type { OutboxItem, ThreadKind, ThreadStore } from '../store/types.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../telemetry/logger.js';
import { BLOCKED_SLACK_ERRORS, classifySlackError } from './classify.js';
import type { Renderers } from './engine-types.js';
import { noteRenderer, type NoteReply } from './note-renderer.js';
import { ThreadEngine } from './thread-engine.js';
import { noteThreadId, type ThreadRef } from './thread-ref.js';
import type { SlackClient } from './types.js';
import { createWebSlackClient } from './web-client.js';

/** A command's name in outbox claims and leases: `cli:<host>:<pid>:<random>` (replica-name.ts). */
export function commandOwner(): string {
  return `cli:${replicaName()}`;
}

/** Slack refused a call in a way no retry inside this command can fix (classify.ts: blocked or permanent). */
export interface SlackRefusal {
  /** Slack's own error string: channel_not_found, invalid_auth, msg_too_long, … */
  error: string;
  channel?: string;
}

/** What became of the messages a command waited for. */
export type Delivery =
  | { state: 'delivered' }
  /** Not within the time given: still queued in the store for the next command or `slack flush`. */
  | { state: 'queued'; waiting: number; lastError?: string }
  /** Slack refused until a person acts (token, scope, channel) or refused the message itself. */
  | { state: 'refused'; refusal: SlackRefusal };

/** One message a command waits for: an outbox row, or (without `outboxId`) the thread's parent. */
export interface DeliveryTarget {
  threadId: string;
  outboxId?: number;
}

export interface SessionOptions {
  logger?: Logger;
  client?: SlackClient;
  clock?: Clock;
  store?: ThreadStore;
  /** The kinds this session delivers; default note threads only. Deploy threads need their renderer. */
  renderers?: (store: ThreadStore) => Renderers;
  /**
   * Wait after a refusal a person must fix before the row is tried again. Short for commands: the
   * next run of a pipeline step (after someone invited the bot) should try at once, not in a minute.
   */
  blockedRetryMs?: number;
}

const POLL_MS = 100;
const MAX_REFUSALS = 100;

/**
 * The thread engine for short-lived commands (guard briefings, CI steps, deploy narration): the
 * same durable outbox, rate limits and retries as `threader serve`, flushed before the command exits.
 */
export class SlackSession {
  private constructor(
    readonly store: ThreadStore,
    readonly engine: ThreadEngine,
    private readonly clock: Clock,
    /** Refusals Slack answered during this session, oldest first. */
    readonly refusals: SlackRefusal[],
    private readonly kinds: ThreadKind[],
    private readonly parentListeners: Set<ParentListener>,
  ) {}

  /**
   * Calls `listener` with the thread's id the moment this session's engine has saved a parent's
   * ts (a deploy records its thread then, not at the next poll). Returns the unsubscribe.
   */
  onParentPosted(listener: ParentListener): () => void {
    this.parentListeners.add(listener);
    return () => this.parentListeners.delete(listener);
  }

  static async open(config: LoadedConfig, opts: SessionOptions = {}): Promise<SlackSession> {
    const token = config.secrets.slackToken;
    if (!opts.client && !token) {
      throw new UsageError(
        'posting to Slack needs SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE (SLACK_API_URL for an emulator)',
      );
    }
    const refusals: SlackRefusal[] = [];
    const client = recordingRefusals(
      opts.client ??
        createWebSlackClient({
          token: token as string,
          slackApiUrl: config.slack.apiUrl,
          timeoutMs: config.slack.timeout,
        }),
      refusals,
    );
    const parentListeners = new Set<ParentListener>();
    const store = watchParents(opts.store ?? openStore(config.store), parentListeners);
    await store.init();
    const clock = opts.clock ?? systemClock;
    // On PostgreSQL the command's claims carry its name and it keeps a heartbeat like a serve
    // replica: a command killed mid-call has its rows taken back once it is silent for a lease
    // (replica-leases.ts), and a late result after that is fenced off by the name.
    const replica = isPostgresUrl(config.store.db)
      ? { owner: commandOwner(), leaseMs: config.store.lease }
      : undefined;
    const renderers = opts.renderers?.(store) ?? { note: noteRenderer };
    const engine = new ThreadEngine({
      store,
      client,
      clock,
      renderers,
      policy: policies.slack,
      limits: config.delivery,
      uncertainGraceMs: config.slack.timeout,
      // Another command may be sending note rows right now: take back only stale claims.
      recoverLeaseMs: 2 * config.slack.timeout,
      blockedRetryMs: opts.blockedRetryMs ?? 5_000,
      logger: opts.logger,
      replica,
    });
    await engine.start();
    const kinds = (Object.keys(renderers) as ThreadKind[]).filter((k) => renderers[k]);
    return new SlackSession(store, engine, clock, refusals, kinds, parentListeners);
  }

  /** The store id of a thread someone else opened, whether or not it was adopted yet. */
  idOf(ref: ThreadRef): string {
    return noteThreadId(`note:${ref.channel}:${ref.ts}`);
  }

  /** The store id of the thread `open(…, key)` opens. */
  idOfNew(key: string): string {
    return noteThreadId(`new:${key}`);
  }

  /** When the latest reply was queued in a thread (undefined when none): throttles across runs. */
  async lastReplyAt(threadId: string): Promise<number | undefined> {
    const replies = (await this.store.outbox(threadId)).filter((o) => o.kind === 'reply');
    return replies.length ? Math.max(...replies.map((o) => o.createdAt)) : undefined;
  }

  /** A thread someone else opened (`CHANNEL:TS`): we only reply into it. */
  async adopt(ref: ThreadRef, title = ''): Promise<string> {
    const key = `note:${ref.channel}:${ref.ts}`;
    const id = this.idOf(ref);
    await this.store.openThread({
      id,
      kind: 'note',
      threadKey: key,
      channel: ref.channel,
      parentTs: ref.ts,
      state: { title },
      now: this.clock.now(),
    });
    return id;
  }

  /**
   * A new thread; `key` makes opening idempotent (the same key opens the same thread, whose title
   * and channel stay those of the first open). `extra` is kept with the title (the parent's links).
   */
  async open(
    channel: string,
    title: string,
    key: string,
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    const id = this.idOfNew(key);
    await this.store.openThread({
      id,
      kind: 'note',
      threadKey: `new:${key}`,
      channel,
      parentTs: null,
      state: { ...extra, title },
      now: this.clock.now(),
    });
    this.engine.kick();
    return id;
  }

  /** Queues a reply; returns its outbox id (a DeliveryTarget). */
  async reply(threadId: string, reply: NoteReply): Promise<number> {
    const id = await this.store.enqueue(threadId, 'reply', reply, this.clock.now());
    this.engine.kick();
    return id;
  }

  /**
   * Queues `reply` unless a row with its key is in the thread already; returns the row to wait
   * for. A re-run of a step that exited 1 (still queued) then waits for the first row instead of
   * posting the reply twice. `reuseDelivered`: a delivered row counts too (the same CI run).
   * Two identical calls at the same instant may still both queue (no transaction across them).
   */
  async replyOnce(
    threadId: string,
    reply: NoteReply & { key: string },
    opts: { reuseDelivered: boolean },
  ): Promise<number> {
    const rows = await this.store.outbox(threadId);
    const same = rows.find(
      (r) =>
        r.kind === 'reply' &&
        (r.payload as NoteReply | null)?.key === reply.key &&
        (isQueued(r) || (opts.reuseDelivered && r.status === 'done')),
    );
    if (same) {
      this.engine.kick();
      return same.id;
    }
    return this.reply(threadId, reply);
  }

  /** Waits until everything queued is delivered, or gives up after `timeoutMs` (it stays queued). */
  async flush(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.engine.whenIdle().then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Waits for these messages only (other queued rows are sent meanwhile but not waited for), up to
   * `timeoutMs`. A refusal ends the wait at once: the command can say what Slack said.
   */
  async deliver(targets: DeliveryTarget[], timeoutMs: number): Promise<Delivery> {
    return this.poll(timeoutMs, () => this.targetsState(targets));
  }

  /**
   * `slack flush`: everything this session's kinds have queued. Ends early when all that is left
   * waits behind a refusal only a person can fix.
   */
  async deliverAll(timeoutMs: number): Promise<Delivery> {
    let idle = false;
    void this.engine.whenIdle().then(() => (idle = true));
    return this.poll(timeoutMs, async (last) => {
      if (idle) {
        // Idle with a refusal recorded: Slack refused a message itself (it is dead, not queued).
        const refusal = this.refusals.find((r) => !BLOCKED_SLACK_ERRORS.has(r.error));
        return refusal ? { state: 'refused', refusal } : { state: 'delivered' };
      }
      const { outboxDepth } = await this.store.stats(this.clock.now());
      const heads = await this.store.deliverable(Infinity, 1000, {
        kinds: this.kinds,
        perChannel: 1000,
      });
      const blocked = heads.filter((h) => this.refusedNow(h));
      let stuck = 0;
      for (const id of new Set(blocked.map((h) => h.threadId)))
        stuck += (await this.store.outbox(id)).filter(isQueued).length;
      const first = blocked[0];
      if (first && (stuck === outboxDepth || last))
        return { state: 'refused', refusal: { error: first.lastError as string, channel: first.channel } };
      return {
        state: 'queued',
        waiting: outboxDepth,
        lastError: heads.find((h) => h.lastError)?.lastError ?? undefined,
      };
    });
  }

  async parentTs(threadId: string): Promise<string | null> {
    return (await this.store.getThread(threadId))?.parentTs ?? null;
  }

  /** Stops the engine; calls in flight get up to `drainMs` to record their result. */
  async close(drainMs = 10_000): Promise<void> {
    await this.engine.drain(drainMs);
    await this.store.close();
  }

  private async targetsState(targets: DeliveryTarget[]): Promise<Delivery> {
    let waiting = 0;
    let lastError: string | undefined;
    for (const t of targets) {
      const rows = await this.store.outbox(t.threadId);
      if (t.outboxId === undefined && (await this.parentTs(t.threadId))) continue;
      const row =
        t.outboxId === undefined
          ? rows.find((r) => r.kind === 'post_parent')
          : rows.find((r) => r.id === t.outboxId);
      if (row?.status === 'done') continue;
      if (row?.status === 'dead') return refused(row);
      // A reply waits for its parent and for the replies before it: a refusal of those is its own.
      const ahead = rows.filter((r) => isQueued(r) && (r.kind === 'post_parent' || !row || r.id <= row.id));
      const blocker = ahead.find((r) => this.refusedNow(r));
      if (blocker) return refused(blocker);
      waiting++;
      lastError ??= ahead.find((r) => r.lastError)?.lastError ?? undefined;
    }
    return waiting ? { state: 'queued', waiting, lastError } : { state: 'delivered' };
  }

  /**
   * A row's last error counts as a refusal only once Slack repeated it to this session: the row
   * may predate a fix (the bot invited since), and this run must try it before saying so.
   */
  private refusedNow(row: OutboxItem): boolean {
    return this.refusals.some(
      (r) => r.error === row.lastError && (r.channel === undefined || r.channel === row.channel),
    );
  }

  private async poll(timeoutMs: number, check: (last: boolean) => Promise<Delivery>): Promise<Delivery> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = Date.now() >= deadline;
      const state = await check(last);
      if (state.state !== 'queued' || last) return state;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))),
      );
    }
  }
}

export type ParentListener = (threadId: string) => void;

/**
 * The store as the engine sees it, telling `listeners` once a parent's ts is saved (completeOutbox
 * of a parent row that was still ours). A listener's failure is its own: it never fails the row.
 */
export function watchParents(store: ThreadStore, listeners: ReadonlySet<ParentListener>): ThreadStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== 'completeOutbox' || typeof value !== 'function') return value;
      return async (...args: Parameters<ThreadStore['completeOutbox']>) => {
        const saved = await (value as ThreadStore['completeOutbox']).apply(target, args);
        const [, message] = args;
        if (saved && message.kind === 'parent')
          for (const listener of listeners) {
            try {
              listener(message.threadId);
            } catch {
              // The row is delivered and recorded; a listener has its own way to say it failed.
            }
          }
        return saved;
      };
    },
  });
}

function isQueued(row: OutboxItem): boolean {
  return row.status === 'pending' || row.status === 'inflight';
}

/**
 * The client as the engine sees it, noting every refusal a retry inside this command cannot fix.
 * A refusal the engine heals (a deleted parent, an edit refused) is no refusal of the command.
 */
function recordingRefusals(client: SlackClient, seen: SlackRefusal[]): SlackClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (err) {
          const c = classifySlackError(err);
          if (c.blocked || (c.permanent && !c.heal)) {
            // A long deploy against a revoked token keeps being refused: the newest are enough.
            if (seen.length >= MAX_REFUSALS) seen.shift();
            seen.push({ error: c.error, channel: channelOf(args[0]) });
          }
          throw err;
        }
      };
    },
  });
}

function channelOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  const channel = (arg as { channel?: unknown } | undefined)?.channel;
  return typeof channel === 'string' ? channel : undefined;
}

function refused(row: OutboxItem): Delivery {
  return { state: 'refused', refusal: { error: row.lastError ?? 'unknown', channel: row.channel } };
}
