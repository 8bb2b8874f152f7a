import { sleep as realSleep } from '../retry/retry.js';
import type { MetricCheck, MetricProvider } from '../metrics/types.js';
import { evaluateSlos, type GuardEvaluation } from './evaluation.js';
import { guardStatus, recordEvaluation, type GuardContext, type GuardStatus } from './guard.js';

/** What one watch tick saw and did: the data a briefing (e.g. a Slack thread reply) needs. */
export interface WatchReport {
  at: number;
  /** After this tick: released, still locked (with the updated streak), or unlocked. */
  status: GuardStatus;
  /** Absent when there was nothing to evaluate (unlocked, time lock, unreadable lock file). */
  evaluation?: GuardEvaluation;
  released: boolean;
  /** An expired lock this tick removed. */
  expired: boolean;
}

/** A briefing sink: called after every tick while a lock exists, and on the tick that ends it. */
export type OnEvaluation = (report: WatchReport) => void | Promise<void>;

export interface WatchOptions {
  ctx: GuardContext;
  provider: MetricProvider;
  checks: readonly MetricCheck[];
  windowMs: number;
  intervalMs: number;
  /** One tick, then return (for cron / systemd timers: the streak lives in the lock file). */
  once?: boolean;
  /** Return as soon as the guard is unlocked (released, expired, or never locked). */
  exitWhenUnlocked?: boolean;
  onEvaluation?: OnEvaluation;
  /** A healthy evaluation sooner than this after the last counted one does not count. */
  minSpacingMs?: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** One tick: expire, evaluate the SLOs for an slo lock, credit the result, release if due. */
export async function watchTick(opts: Omit<WatchOptions, 'intervalMs'>): Promise<WatchReport> {
  const { ctx } = opts;
  const before = await guardStatus(ctx);
  const base = { at: ctx.now(), released: false, expired: before.expired !== undefined };
  if (!before.locked || !before.lock || before.lock.release.mode === 'time')
    return { ...base, status: before };
  const evaluation = await evaluateSlos(opts.provider, opts.checks, {
    windowMs: opts.windowMs,
    now: ctx.now,
    signal: opts.signal,
  });
  // Evaluations closer together than half the interval look at the same data: one counts.
  const rec = await recordEvaluation(ctx, before.lock.id, evaluation, { minSpacingMs: opts.minSpacingMs });
  return { ...base, at: ctx.now(), status: rec.status, evaluation, released: rec.released };
}

/**
 * `guard watch`: evaluates on an interval and releases the lock by itself when the criteria hold
 * (the original needed a manual dispatch). Idles while unlocked, so it can run as a service.
 * Returns the last report when told to stop (signal, once, exitWhenUnlocked).
 */
export async function watchGuard(opts: WatchOptions): Promise<WatchReport> {
  const wait = opts.sleep ?? realSleep;
  for (;;) {
    const report = await watchTick(opts);
    const ended = report.released || report.expired;
    if (report.status.locked || ended) await opts.onEvaluation?.(report);
    if (opts.once || (opts.exitWhenUnlocked && !report.status.locked)) return report;
    // A time lock needs no evaluations; wake at its end so the expiry is reported on time.
    const lock = report.status.lock;
    const untilEnd =
      lock?.release.mode === 'time' ? Math.max(0, Date.parse(lock.until) - opts.ctx.now()) : Infinity;
    try {
      await wait(Math.min(opts.intervalMs, untilEnd), opts.signal);
    } catch {
      return report;
    }
    if (opts.signal?.aborted) return report;
  }
}
