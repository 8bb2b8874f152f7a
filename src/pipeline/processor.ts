import type { Clock } from '../clock.js';
import { decide } from '../core/decide.js';
import type { ThreadPolicy } from '../core/types.js';
import type { ThreadStore } from '../store/types.js';
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
}

/**
 * Stage 2: turns accepted notifications into thread state and outbox rows, in arrival order
 * (so ordering per thread key holds). Each notification is one transaction: state, outbox rows and
 * the processed mark commit together, so a crash at any point replays cleanly.
 */
export class NotificationProcessor {
  private running = false;
  private draining: Promise<void> | undefined;
  private again = false;

  constructor(private readonly deps: ProcessorDeps) {}

  start(): void {
    this.running = true;
    this.kick();
  }

  stop(): void {
    this.running = false;
  }

  kick(): void {
    if (!this.running) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves once everything accepted so far is processed. */
  async whenIdle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    const { store, clock, metrics, logger } = this.deps;
    for (;;) {
      let batch;
      try {
        batch = await store.pendingNotifications(100);
      } catch (err) {
        logger?.error({ err: String(err) }, 'cannot read pending notifications; retrying');
        clock.setTimeout(() => this.kick(), 1000);
        return;
      }
      if (batch.length === 0 || !this.running) return;
      for (const n of batch) {
        try {
          const now = clock.now();
          const prev = await store.latestEpisode(n.threadKey);
          const d = decide(prev, n.part, { channel: n.channel, now, policy: this.deps.policy });
          const committed = await store.commitDecision({
            notificationId: n.id,
            reason: d.reason,
            episode: d.next,
            actions: d.actions,
            now,
          });
          if (!committed) continue;
          metrics?.notifications.inc({ result: d.reason });
          if (d.reason === 'duplicate') metrics?.duplicates.inc();
          if (d.actions.some((a) => a.type === 'post_parent')) metrics?.episodes.inc();
          logger?.info(
            {
              thread: n.threadKey,
              episode: d.next?.id,
              reason: d.reason,
              actions: d.actions.map((a) => a.type),
            },
            'notification processed',
          );
          if (d.actions.length > 0) this.deps.onOutbox?.();
        } catch (err) {
          // Stop at the first failure to keep per-key order; the same notification is retried.
          logger?.error(
            { err: String(err), notification: n.id, thread: n.threadKey },
            'processing failed; retrying',
          );
          clock.setTimeout(() => this.kick(), 1000);
          return;
        }
      }
    }
  }
}
