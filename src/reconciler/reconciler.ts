import { randomUUID } from 'node:crypto';
import type { AlertmanagerClient, AmAlert } from '../alertmanager/types.js';
import { alertmanagerOf } from '../alertmanager/which.js';
import type { Clock } from '../clock.js';
import type { EpisodeState } from '../core/types.js';
import type { ThreadStore } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';
import { confirmGone, syntheticResolve, threadsToClose } from './plan.js';

export interface ReconcilerDeps {
  store: ThreadStore;
  clock: Clock;
  logger?: Logger;
  alertmanagerFor(baseUrl: string): AlertmanagerClient | undefined;
  /** alertmanager.url: used (with its credentials) for the threads that Alertmanager sent. */
  configuredUrl?: string;
  intervalMs: number;
  graceMs: number;
  /**
   * How long a thread must stay gone (seen in two rounds at least this far apart), and how long an
   * Alertmanager must have been up, before a thread is closed. Default 5 min (plan.ts: confirmGone).
   */
  confirmMs?: number;
  /** This replica's name for the `reconciler` lease; default a random one. */
  owner?: string;
  /** Wakes the processor after synthetic resolves were appended. */
  onAppended(): void;
  /** Open threads looked at per round. */
  limit?: number;
}

export interface ReconcileRound {
  /** False when another replica holds the `reconciler` lease: this one did nothing. */
  leader: boolean;
  checked: number;
  closed: string[];
  /** Threads seen gone, waiting for the confirmation period before they are closed. */
  pending: string[];
  /** Alertmanagers that could not be asked: their threads were left alone. */
  unreachable: string[];
  /** Alertmanagers up for less than the confirmation period (restarted): their threads were left alone. */
  restarted: string[];
}

export const RECONCILER_LEASE = 'reconciler';
/** Alertmanager's default group_interval: a real resolve arrives within it (README: Reconciler). */
export const DEFAULT_CONFIRM_MS = 300_000;

/**
 * Closes threads whose resolve never arrived: every interval, asks Alertmanager which alerts it
 * still holds and feeds a resolve for the threads it no longer knows through the normal pipeline
 * (store, then decide), so ordering and the outbox rules hold. An Alertmanager that cannot be
 * reached, or restarted recently, closes nothing: silence from it is not evidence. Replicas
 * sharing a store reconcile one at a time, under the `reconciler` lease.
 */
export class Reconciler {
  private timer: unknown;
  private running = false;
  private round: Promise<ReconcileRound> | undefined;
  private missingSince = new Map<string, number>();
  private readonly owner: string;
  private readonly confirmMs: number;

  constructor(private readonly deps: ReconcilerDeps) {
    this.owner = deps.owner ?? `reconciler-${randomUUID()}`;
    this.confirmMs = deps.confirmMs ?? DEFAULT_CONFIRM_MS;
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    void this.deps.store.releaseLeases(this.owner, [RECONCILER_LEASE]).catch(() => undefined);
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
    const result: ReconcileRound = {
      leader: false,
      checked: 0,
      closed: [],
      pending: [],
      unreachable: [],
      restarted: [],
    };
    let open: EpisodeState[];
    try {
      // Held across rounds (two intervals and a margin), so it moves only when its holder stops.
      const ttlMs = 2 * this.deps.intervalMs + 30_000;
      const held = await store.holdLeases([RECONCILER_LEASE], { owner: this.owner, now: clock.now(), ttlMs });
      if (!held.includes(RECONCILER_LEASE)) {
        // What we saw before another replica took over is too old to confirm anything later.
        this.missingSince.clear();
        return result;
      }
      result.leader = true;
      open = (await store.listThreads({ status: 'firing', limit: this.deps.limit ?? 10_000 })).map(
        (t) => t.state,
      );
    } catch (err) {
      logger?.warn({ err: String(err) }, 'reconciler: cannot list open threads');
      return result;
    }
    const byUrl = new Map<string, EpisodeState[]>();
    for (const s of open) {
      const url = alertmanagerOf(s.externalURL, this.deps.configuredUrl);
      if (!url) continue;
      byUrl.set(url, [...(byUrl.get(url) ?? []), s]);
    }
    const missingSince = new Map<string, number>();
    for (const [url, states] of byUrl) {
      const am = this.deps.alertmanagerFor(url);
      if (!am) continue;
      const reported = await this.ask(am, result);
      if (!reported) continue;
      result.checked += states.length;
      const now = clock.now();
      if (reported.length === 0)
        logger?.warn(
          { alertmanager: am.url, open: states.length, confirmMs: this.confirmMs },
          'reconciler: Alertmanager reports no alerts while threads are open; closing only once confirmed',
        );
      const seen = threadsToClose(states, reported, now, { graceMs: this.deps.graceMs });
      const confirmed = confirmGone(seen, this.missingSince, now, this.confirmMs);
      for (const [id, at] of confirmed.missingSince) missingSince.set(id, at);
      result.pending.push(...confirmed.missingSince.keys());
      if (confirmed.close.length > 0) await this.close(confirmed.close, am, now, result);
    }
    // Threads of an Alertmanager not heard this round start their confirmation over.
    this.missingSince = missingSince;
    return result;
  }

  /** Alertmanager's alerts, or undefined when it cannot tell us (unreachable, or restarted recently). */
  private async ask(am: AlertmanagerClient, result: ReconcileRound): Promise<AmAlert[] | undefined> {
    const { logger } = this.deps;
    try {
      if (this.confirmMs > 0) {
        const uptimeMs = await am.uptimeMs();
        if (uptimeMs < this.confirmMs) {
          result.restarted.push(am.url);
          logger?.info(
            { alertmanager: am.url, uptimeMs, confirmMs: this.confirmMs },
            'reconciler: Alertmanager started recently and may not know every alert yet; closing nothing',
          );
          return undefined;
        }
      }
      return await am.alerts();
    } catch (err) {
      result.unreachable.push(am.url);
      logger?.warn(
        { alertmanager: am.url, err: String(err) },
        'reconciler: Alertmanager unreachable; closing nothing',
      );
      return undefined;
    }
  }

  private async close(
    gone: EpisodeState[],
    am: AlertmanagerClient,
    now: number,
    result: ReconcileRound,
  ): Promise<void> {
    const { store, logger } = this.deps;
    await store.appendNotifications(
      gone.map((s) => ({
        threadKey: s.threadKey,
        channel: s.channel,
        receivedAt: now,
        part: syntheticResolve(s, now),
      })),
    );
    for (const s of gone) {
      // Only our field: an Ack or a silence recorded meanwhile stays.
      await store.updateInteraction(s.id, (cur) => ({ ...cur, reconciledAt: now }), now);
      result.closed.push(s.id);
      logger?.info(
        { thread: s.threadKey, threadId: s.id, alertmanager: am.url },
        'reconciler: Alertmanager no longer reports these alerts; closing the thread',
      );
    }
    this.deps.onAppended();
  }
}
