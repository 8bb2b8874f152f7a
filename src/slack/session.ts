import type { LoadedConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
import { policies } from '../retry/policy.js';
import { isPostgresUrl, openStore } from '../store/open.js';
import { replicaName } from '../store/replica-name.js';
import type { ThreadStore } from '../store/types.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../telemetry/logger.js';
import { noteRenderer, type NoteReply } from './note-renderer.js';
import { ThreadEngine } from './thread-engine.js';
import { noteThreadId, type ThreadRef } from './thread-ref.js';
import type { SlackClient } from './types.js';
import { createWebSlackClient } from './web-client.js';

/** A command's name in outbox claims and leases: `cli:<host>:<pid>:<random>` (replica-name.ts). */
export function commandOwner(): string {
  return `cli:${replicaName()}`;
}

/**
 * The thread engine for short-lived commands (guard briefings, CI steps): the same durable outbox,
 * rate limits and retries as `threader serve`, flushed before the command exits.
 */
export class SlackSession {
  private constructor(
    readonly store: ThreadStore,
    readonly engine: ThreadEngine,
    private readonly clock: Clock,
  ) {}

  static async open(
    config: LoadedConfig,
    opts: { logger?: Logger; client?: SlackClient; clock?: Clock; store?: ThreadStore } = {},
  ): Promise<SlackSession> {
    const token = config.secrets.slackToken;
    if (!opts.client && !token) {
      throw new UsageError(
        'posting to Slack needs SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE (SLACK_API_URL for an emulator)',
      );
    }
    const client =
      opts.client ??
      createWebSlackClient({
        token: token as string,
        slackApiUrl: config.slack.apiUrl,
        timeoutMs: config.slack.timeout,
      });
    const store = opts.store ?? openStore(config.store);
    await store.init();
    const clock = opts.clock ?? systemClock;
    // On PostgreSQL the command's claims carry its name and it keeps a heartbeat like a serve
    // replica: a command killed mid-call has its rows taken back once it is silent for a lease
    // (replica-leases.ts), and a late result after that is fenced off by the name.
    const replica = isPostgresUrl(config.store.db)
      ? { owner: commandOwner(), leaseMs: config.store.lease }
      : undefined;
    const engine = new ThreadEngine({
      store,
      client,
      clock,
      renderers: { note: noteRenderer },
      policy: policies.slack,
      limits: config.delivery,
      uncertainGraceMs: config.slack.timeout,
      // Another command may be sending note rows right now: take back only stale claims.
      recoverLeaseMs: 2 * config.slack.timeout,
      logger: opts.logger,
      replica,
    });
    await engine.start();
    return new SlackSession(store, engine, clock);
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

  /** A new thread; `key` makes opening idempotent (the same key opens the same thread). */
  async open(channel: string, title: string, key: string): Promise<string> {
    const id = this.idOfNew(key);
    await this.store.openThread({
      id,
      kind: 'note',
      threadKey: `new:${key}`,
      channel,
      parentTs: null,
      state: { title },
      now: this.clock.now(),
    });
    this.engine.kick();
    return id;
  }

  async reply(threadId: string, reply: NoteReply): Promise<void> {
    await this.store.enqueue(threadId, 'reply', reply, this.clock.now());
    this.engine.kick();
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

  async parentTs(threadId: string): Promise<string | null> {
    return (await this.store.getThread(threadId))?.parentTs ?? null;
  }

  async close(): Promise<void> {
    await this.engine.drain(10_000);
    await this.store.close();
  }
}
