import type { AlertmanagerClient, AmAlert } from '../alertmanager/types.js';
import type { Clock } from '../clock.js';
import type { EpisodeState } from '../core/types.js';
import type { ThreadStore } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';
import { syntheticResolve, threadsToClose } from './plan.js';

export interface ReconcilerDeps {
  store: ThreadStore;
  clock: Clock;
  logger?: Logger;
  alertmanagerFor(baseUrl: string): AlertmanagerClient | undefined;
  /** alertmanager.url; unset = each thread's externalURL. */
  configuredUrl?: string;
  intervalMs: number;
  graceMs: number;
  /** Wakes the processor after synthetic resolves were appended. */
  onAppended(): void;
  /** Open threads looked at per round. */
  limit?: number;
}

export interface ReconcileRound {
  checked: number;
  closed: string[];
  /** Alertmanagers that could not be asked: their threads were left alone. */
  unreachable: string[];
}

/**
 * Closes threads whose resolve never arrived: every interval, asks Alertmanager which alerts it
 * still holds and feeds a resolve for the threads it no longer knows through the normal pipeline
 * (store, then decide), so ordering and the outbox rules hold. An Alertmanager that cannot be
 * reached closes nothing: silence from it is not evidence.
 */
export class Reconciler {
  private timer: unknown;
  private running = false;
  private round: Promise<ReconcileRound> | undefined;

  constructor(private readonly deps: ReconcilerDeps) {}

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.deps.clock.setTimeout(() => {
      void this.runOnce()
        .catch((err) => this.deps.logger?.warn({ err: String(err) }, 'reconciler round failed'))
        .finally(() => this.schedule());
    }, this.deps.intervalMs);
  }

  /** One round; concurrent callers share it. */
  runOnce(): Promise<ReconcileRound> {
    this.round ??= this.reconcile().finally(() => (this.round = undefined));
    return this.round;
  }

  private async reconcile(): Promise<ReconcileRound> {
    const { store, clock, logger } = this.deps;
    const result: ReconcileRound = { checked: 0, closed: [], unreachable: [] };
    let open: EpisodeState[];
    try {
      open = (await store.listThreads({ status: 'firing', limit: this.deps.limit ?? 10_000 })).map(
        (t) => t.state,
      );
    } catch (err) {
      logger?.warn({ err: String(err) }, 'reconciler: cannot list open threads');
      return result;
    }
    const byUrl = new Map<string, EpisodeState[]>();
    for (const s of open) {
      const url = this.deps.configuredUrl || s.externalURL;
      if (!url) continue;
      byUrl.set(url, [...(byUrl.get(url) ?? []), s]);
    }
    for (const [url, states] of byUrl) {
      const am = this.deps.alertmanagerFor(url);
      if (!am) continue;
      let reported: AmAlert[];
      try {
        reported = await am.alerts();
      } catch (err) {
        result.unreachable.push(am.url);
        logger?.warn(
          { alertmanager: am.url, err: String(err) },
          'reconciler: Alertmanager unreachable; closing nothing',
        );
        continue;
      }
      result.checked += states.length;
      const now = clock.now();
      const gone = threadsToClose(states, reported, now, { graceMs: this.deps.graceMs });
      if (gone.length === 0) continue;
      await store.appendNotifications(
        gone.map((s) => ({
          threadKey: s.threadKey,
          channel: s.channel,
          receivedAt: now,
          part: syntheticResolve(s, now),
        })),
      );
      for (const s of gone) {
        const thread = await store.getThread(s.id);
        await store.saveInteraction(s.id, { ...(thread?.interaction ?? {}), reconciledAt: now }, now);
        result.closed.push(s.id);
        logger?.info(
          { thread: s.threadKey, threadId: s.id, alertmanager: am.url },
          'reconciler: Alertmanager no longer reports these alerts; closing the thread',
        );
      }
      this.deps.onAppended();
    }
    return result;
  }
}
