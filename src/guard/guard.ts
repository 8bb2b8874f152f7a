import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ConflictError, UsageError } from '../errors.js';
import type { GuardEvaluation } from './evaluation.js';
import { formatResultLine } from './format.js';
import type { HistoryEvent, HistoryEventKind, LockFile } from './lock-file.js';
import {
  extendLock,
  lockPhase,
  newLock,
  remainingMs,
  withEvaluation,
  type GuardLock,
  type LockPhase,
  type ReleaseMode,
} from './lock.js';

/** What the guard library needs from the outside world. */
export interface GuardContext {
  file: LockFile;
  now: () => number;
  /** Who is acting (recorded in the lock and the history). */
  actor: string;
  host?: string;
  newId?: () => string;
}

export interface GuardStatus {
  locked: boolean;
  lock?: GuardLock;
  phase?: LockPhase;
  /** Of the minimum duration. */
  remainingMs?: number;
  /** A lock that had expired and was removed by this call. */
  expired?: GuardLock;
  /** The lock file exists but cannot be read: the guard counts as locked (fail closed). */
  corrupt?: string;
}

async function record(
  ctx: GuardContext,
  event: HistoryEventKind,
  extra: Partial<HistoryEvent>,
): Promise<void> {
  await ctx.file.appendHistory({
    at: new Date(ctx.now()).toISOString(),
    event,
    by: ctx.actor,
    host: ctx.host ?? hostname(),
    ...extra,
  });
}

function describe(lock: GuardLock, now: number): GuardStatus {
  return { locked: true, lock, phase: lockPhase(lock, now), remainingMs: remainingMs(lock, now) };
}

/** Current state; an expired lock is removed (and the expiry recorded) on the way. */
export async function guardStatus(ctx: GuardContext): Promise<GuardStatus> {
  const stored = await ctx.file.read();
  if (stored.kind === 'none') return { locked: false };
  if (stored.kind === 'corrupt') return { locked: true, corrupt: stored.problem };
  if (lockPhase(stored.lock, ctx.now()) !== 'expired') return describe(stored.lock, ctx.now());
  // Removing an expired lock is housekeeping: a reader who may not write the lock's directory
  // (a CI user reading root's /run lock) still gets the answer.
  return removeExpired(ctx, stored.lock).catch((err: NodeJS.ErrnoException) => {
    if (!['EACCES', 'EPERM', 'EROFS'].includes(err.code ?? '')) throw err;
    return { locked: false, expired: stored.lock };
  });
}

async function removeExpired(ctx: GuardContext, expired: GuardLock): Promise<GuardStatus> {
  return ctx.file.exclusive(async () => {
    const again = await ctx.file.read();
    if (again.kind !== 'lock')
      return again.kind === 'none' ? { locked: false } : { locked: true, corrupt: again.problem };
    if (again.lock.id !== expired.id || lockPhase(again.lock, ctx.now()) !== 'expired') {
      return describe(again.lock, ctx.now());
    }
    await ctx.file.remove();
    await record(ctx, 'expire', { reason: 'lock expired', lock: again.lock });
    return { locked: false, expired: again.lock };
  });
}

export interface LockOptions {
  durationMs: number;
  reason: string;
  mode: ReleaseMode;
  healthyEvaluations: number;
  maxLockDurationMs?: number;
}

/** Takes the lock, or extends a live one (never shortening it). */
export async function lockGuard(
  ctx: GuardContext,
  opts: LockOptions,
): Promise<{ lock: GuardLock; extended: boolean }> {
  if (!opts.reason.trim()) throw new UsageError('a lock needs a --reason');
  if (opts.durationMs <= 0) throw new UsageError('the lock duration must be longer than 0');
  return ctx.file.exclusive(async () => {
    const now = ctx.now();
    const incoming = newLock({ ...opts, id: (ctx.newId ?? randomUUID)(), by: ctx.actor }, now);
    const stored = await ctx.file.read();
    const live =
      stored.kind === 'lock' && lockPhase(stored.lock, now) !== 'expired' ? stored.lock : undefined;
    const lock = live ? extendLock(live, incoming) : incoming;
    await ctx.file.write(lock);
    await record(ctx, live ? 'extend' : 'lock', { reason: opts.reason, lock });
    return { lock, extended: live !== undefined };
  });
}

export interface UnlockResult {
  /** The lock that was removed; undefined when there was none. */
  removed?: GuardLock;
  forced: boolean;
}

/**
 * Removes the lock when its release criteria hold (or it expired). Otherwise only `force` does,
 * and a forced unlock must say why: the override is recorded with who and why.
 */
export async function unlockGuard(
  ctx: GuardContext,
  opts: { force?: boolean; reason?: string },
): Promise<UnlockResult> {
  if (opts.force && !opts.reason?.trim()) throw new UsageError('a forced unlock needs --reason');
  return ctx.file.exclusive(async () => {
    const stored = await ctx.file.read();
    if (stored.kind === 'none') return { forced: false };
    const now = ctx.now();
    const phase = stored.kind === 'lock' ? lockPhase(stored.lock, now) : undefined;
    const criteriaMet = phase === 'releasable' || phase === 'expired';
    if (!criteriaMet && !opts.force) {
      const why =
        stored.kind === 'corrupt'
          ? `the lock file cannot be read (${stored.problem})`
          : `the release criteria do not hold yet (${phase})`;
      throw new ConflictError(`guard stays locked: ${why}; use --force --reason TEXT to override`);
    }
    await ctx.file.remove();
    const lock = stored.kind === 'lock' ? stored.lock : undefined;
    const forced = !criteriaMet;
    await record(ctx, forced ? 'force_unlock' : 'unlock', { reason: opts.reason, ...(lock ? { lock } : {}) });
    return { removed: lock, forced };
  });
}

export interface EvaluationRecord {
  status: GuardStatus;
  /** This evaluation completed the release criteria and the lock was removed. */
  released: boolean;
  /** The lock changed (re-locked) while evaluating; this evaluation was not credited. */
  stale: boolean;
}

/**
 * Credits one evaluation to the lock it was made for and releases the lock when the criteria
 * hold: minimum duration over AND K consecutive healthy evaluations.
 */
export async function recordEvaluation(
  ctx: GuardContext,
  lockId: string,
  evaluation: GuardEvaluation,
  opts: { minSpacingMs?: number } = {},
): Promise<EvaluationRecord> {
  return ctx.file.exclusive(async () => {
    const stored = await ctx.file.read();
    if (stored.kind === 'none') return { status: { locked: false }, released: false, stale: true };
    if (stored.kind === 'corrupt')
      return { status: { locked: true, corrupt: stored.problem }, released: false, stale: true };
    const now = ctx.now();
    if (stored.lock.id !== lockId)
      return { status: describe(stored.lock, now), released: false, stale: true };
    const lock = {
      ...withEvaluation(stored.lock, evaluation.healthy, evaluation.at, opts.minSpacingMs),
      lastEvaluation: {
        at: new Date(evaluation.at).toISOString(),
        healthy: evaluation.healthy,
        results: evaluation.results.map((r) => ({
          check: r.check,
          outcome: r.outcome,
          ...(r.value !== undefined ? { value: r.value } : {}),
          comparator: r.comparator,
          threshold: r.threshold,
          ...(r.unit ? { unit: r.unit } : {}),
          message: r.message,
        })),
      },
    };
    if (lockPhase(lock, now) === 'releasable') {
      await ctx.file.remove();
      await record(ctx, 'release', {
        reason: `${lock.release.healthyStreak} consecutive healthy evaluations after the minimum duration`,
        lock,
        evaluation: evaluation.results.map(formatResultLine),
      });
      return { status: { locked: false }, released: true, stale: false };
    }
    await ctx.file.write(lock);
    return { status: describe(lock, now), released: false, stale: false };
  });
}
