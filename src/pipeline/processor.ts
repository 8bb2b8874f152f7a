import type { Clock } from '../clock.js';
import { DrainLoop } from '../drain-loop.js';
import { decide } from '../core/decide.js';
import type { Decision, ThreadPolicy } from '../core/types.js';
import { StoreUnavailableError } from '../errors.js';
import type { DecisionShaper } from './storm.js';
import type { LeaseHolder, PendingNotification, ThreadStore } from '../store/types.js';

/** Notifications decided and committed together. */
const BATCH = 200;
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';

export interface ProcessorDeps {
  store: ThreadStore;
  policy: ThreadPolicy;
  clock: Clock;
  metrics?: Metrics;
  logger?: Logger;
  /** Called after a commit that added outbox rows (wakes the thread engine). */
  onOutbox?: () => void;
  /** Reshapes decisions before they commit (the storm digest, pipeline/storm.ts). */
  shaper?: DecisionShaper;
  /**
   * Set when several replicas share the store: notifications are taken per thread key under a
   * lease (`leaseMs`), commits are fenced by it, and the store is polled every `pollMs` for work
   * another replica accepted or left behind when it died.
   */
  replica?: { owner: string; leaseMs: number; pollMs: number };
}

/**
 * Stage 2: turns accepted notifications into thread state and outbox rows, in arrival order
 * (so ordering per thread key holds). Each notification is one transaction: state, outbox rows and
 * the processed mark commit together, so a crash at any point replays cleanly.
 */
export class NotificationProcessor {
  private running = false;
  private readonly loop = new DrainLoop(
    () => this.drain(),
    () => this.running,
  );
  private poll: unknown;

  constructor(private readonly deps: ProcessorDeps) {}

  start(): void {
    this.running = true;
    this.kick();
    this.schedulePoll();
  }

  stop(): void {
    this.running = false;
    if (this.poll !== undefined) this.deps.clock.clearTimeout(this.poll);
    this.poll = undefined;
  }

  private schedulePoll(): void {
    const replica = this.deps.replica;
    if (!replica || !this.running) return;
    this.poll = this.deps.clock.setTimeout(() => {
      this.kick();
      this.schedulePoll();
    }, replica.pollMs);
  }

  /** This replica's lease on the keys it decides (undefined: the only process on its store). */
  private holder(): LeaseHolder | undefined {
    const r = this.deps.replica;
    return r && { owner: r.owner, now: this.deps.clock.now(), ttlMs: r.leaseMs };
  }

  private take(limit: number): Promise<PendingNotification[]> {
    const holder = this.holder();
    return holder
      ? this.deps.store.claimNotifications(limit, holder)
      : this.deps.store.pendingNotifications(limit);
  }

  /** New work may be there (called after a commit); cheap and idempotent. */
  kick(): void {
    this.loop.kick();
  }

  /** Resolves once everything accepted so far is processed. */
  whenIdle(): Promise<void> {
    return this.loop.whenIdle();
  }

  private async drain(): Promise<void> {
    const { clock, logger } = this.deps;
    for (;;) {
      let batch: PendingNotification[];
      try {
        batch = await this.take(BATCH);
      } catch (err) {
        logger?.error({ err: String(err) }, 'cannot read pending notifications; retrying');
        clock.setTimeout(() => this.kick(), 1000);
        return;
      }
      if (batch.length === 0 || !this.running) return;
      try {
        await this.processBatch(batch);
      } catch (err) {
        // Nothing of the batch was committed; the same notifications come back in the same order.
        if (err instanceof StoreUnavailableError || !(await this.isolate(batch))) {
          logger?.error(
            { err: String(err), from: batch[0]?.id, count: batch.length },
            'processing failed; retrying',
          );
          clock.setTimeout(() => this.kick(), 1000);
          return;
        }
      }
    }
  }

  /**
   * A batch failed for a reason other than the store: process it one notification at a time, and
   * set aside (result "failed", logged, counted) the one that cannot be processed, so a single bad
   * notification never holds up every thread behind it. False when the store itself gave out.
   */
  private async isolate(batch: PendingNotification[]): Promise<boolean> {
    const { store, clock, metrics, logger } = this.deps;
    for (const n of batch) {
      try {
        await this.processBatch([n]);
      } catch (err) {
        if (err instanceof StoreUnavailableError) return false;
        logger?.error(
          { err: String(err), notification: n.id, thread: n.threadKey },
          'notification cannot be processed; set aside',
        );
        try {
          await store.commitDecisions(
            [{ notificationId: n.id, reason: 'failed', episode: null, actions: [], now: clock.now() }],
            this.holder(),
          );
        } catch {
          return false;
        }
        metrics?.notifications.inc({ result: 'failed' });
      }
    }
    return true;
  }

  /**
   * Decides a batch in arrival order, carrying each thread's state from one notification to the
   * next in memory, then commits every decision in ONE transaction: a storm of notifications costs
   * one commit per batch, not one per notification, and a crash replays the whole batch.
   */
  private async processBatch(batch: PendingNotification[]): Promise<void> {
    const { store, clock, metrics, logger } = this.deps;
    const now = clock.now();
    // One read for the whole batch: a round trip per key was most of a batch's time on PostgreSQL.
    const latest = await store.latestEpisodes([...new Set(batch.map((n) => n.threadKey))]);
    const decisions: Array<{ n: PendingNotification; d: Decision }> = [];
    for (const n of batch) {
      const prev = latest.get(n.threadKey) ?? null;
      // Decided as of arrival: a backlog (store retries, a restart) must not squash durations and windows.
      const decided = decide(prev, n.part, {
        channel: n.channel,
        now: n.receivedAt,
        policy: this.deps.policy,
      });
      const d = this.deps.shaper ? await this.deps.shaper.shape(n, decided) : decided;
      latest.set(n.threadKey, d.next);
      decisions.push({ n, d });
    }
    await this.deps.shaper?.flush();
    const committed = await store.commitDecisions(
      decisions.map(({ n, d }) => ({
        notificationId: n.id,
        reason: d.reason,
        episode: d.next,
        actions: d.actions,
        now,
      })),
      // Fenced: when another replica took a key over meanwhile, nothing of this batch commits.
      this.holder(),
    );
    let outbox = false;
    decisions.forEach(({ n, d }, i) => {
      if (!committed[i]) return;
      metrics?.notifications.inc({ result: d.reason });
      if (d.reason === 'duplicate') metrics?.duplicates.inc();
      if (d.actions.some((a) => a.type === 'post_parent')) metrics?.episodes.inc();
      if (d.reason !== 'duplicate') {
        logger?.info(
          {
            thread: n.threadKey,
            episode: d.next?.id,
            reason: d.reason,
            actions: d.actions.map((a) => a.type),
          },
          'notification processed',
        );
      } else {
        logger?.debug({ thread: n.threadKey, episode: d.next?.id }, 'duplicate notification dropped');
      }
      outbox ||= d.actions.length > 0;
    });
    if (outbox) this.deps.onOutbox?.();
  }
}
