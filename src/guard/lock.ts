/**
 * The guard window's lock, as data (DESIGN.md "Guard window"). Pure: every function takes `now`.
 * Times are ISO strings in the file (people read it), epoch ms in arguments.
 */

export type ReleaseMode = 'slo' | 'time';

export interface ReleaseCriteria {
  /** slo: minimum duration AND K consecutive healthy evaluations; time: the lock expires at `until`. */
  mode: ReleaseMode;
  /** K. */
  healthyEvaluations: number;
  /** Consecutive healthy evaluations so far; in the file so every watcher (and a restart) shares it. */
  healthyStreak: number;
  lastEvaluationAt?: string;
  /** slo mode only: expire even without healthy evaluations at this time (a configured hard cap). */
  expiresAt?: string;
}

export interface GuardLock {
  /** Changes whenever the lock is (re)taken, so a watcher never credits evaluations to a newer lock. */
  id: string;
  lockedAt: string;
  /** End of the minimum duration (time mode: the expiry). */
  until: string;
  reason: string;
  by: string;
  release: ReleaseCriteria;
  /** Read from the original qos_guard.sh format (epoch seconds only). */
  legacy?: boolean;
  /** The latest evaluation `guard watch` made, so readers (dashboard, gauges) can show each SLO's value. */
  lastEvaluation?: {
    at: string;
    healthy: boolean;
    results: Array<{
      check: string;
      outcome: string;
      value?: number;
      comparator: string;
      threshold: number;
      unit?: string;
      message: string;
    }>;
  };
}

export interface LockRequest {
  id: string;
  durationMs: number;
  reason: string;
  by: string;
  mode: ReleaseMode;
  healthyEvaluations: number;
  maxLockDurationMs?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (text: string) => Date.parse(text);

export function newLock(req: LockRequest, now: number): GuardLock {
  const release: ReleaseCriteria = {
    mode: req.mode,
    healthyEvaluations: req.healthyEvaluations,
    healthyStreak: 0,
  };
  if (req.mode === 'slo' && req.maxLockDurationMs !== undefined) {
    release.expiresAt = iso(now + Math.max(req.maxLockDurationMs, req.durationMs));
  }
  return {
    id: req.id,
    lockedAt: iso(now),
    until: iso(now + req.durationMs),
    reason: req.reason,
    by: req.by,
    release,
  };
}

const later = (a?: string, b?: string) =>
  a === undefined || b === undefined ? undefined : ms(a) >= ms(b) ? a : b;

/**
 * A second `lock` while locked never shortens anything: the window keeps its start, ends at the
 * later `until`, takes the stricter criteria, and earlier healthy evaluations no longer count
 * (something went wrong again).
 */
export function extendLock(existing: GuardLock, incoming: GuardLock): GuardLock {
  const slo = existing.release.mode === 'slo' || incoming.release.mode === 'slo';
  const release: ReleaseCriteria = {
    mode: slo ? 'slo' : 'time',
    healthyEvaluations: Math.max(existing.release.healthyEvaluations, incoming.release.healthyEvaluations),
    healthyStreak: 0,
  };
  const expiresAt = slo
    ? later(
        existing.release.mode === 'slo' ? existing.release.expiresAt : existing.until,
        incoming.release.mode === 'slo' ? incoming.release.expiresAt : incoming.until,
      )
    : undefined;
  if (expiresAt !== undefined) release.expiresAt = expiresAt;
  return {
    id: incoming.id,
    lockedAt: existing.lockedAt,
    until: later(existing.until, incoming.until) as string,
    reason: incoming.reason,
    by: incoming.by,
    release,
  };
}

export type LockPhase =
  /** Minimum duration not over yet. */
  | 'minimum'
  /** Minimum over; waiting for K consecutive healthy evaluations. */
  | 'awaiting_slo'
  /** Every criterion holds: the next watcher tick (or a plain unlock) releases it. */
  | 'releasable'
  /** Past its expiry (time mode, a legacy lock, or an slo lock's hard cap). */
  | 'expired';

export function lockPhase(lock: GuardLock, now: number): LockPhase {
  const minimumOver = now >= ms(lock.until);
  if (lock.release.mode === 'time') return minimumOver ? 'expired' : 'minimum';
  if (lock.release.expiresAt !== undefined && now >= ms(lock.release.expiresAt)) return 'expired';
  if (!minimumOver) return 'minimum';
  return lock.release.healthyStreak >= lock.release.healthyEvaluations ? 'releasable' : 'awaiting_slo';
}

/** Remaining time of the minimum duration (0 once over). */
export function remainingMs(lock: GuardLock, now: number): number {
  return Math.max(0, ms(lock.until) - now);
}

/** Counts one evaluation: healthy extends the streak, anything else (failed, no data, error) resets it. */
/**
 * Credits one evaluation to the release streak. An unhealthy one always resets it (fail closed);
 * a healthy one counts only when at least `minSpacingMs` after the last counted one, so a few
 * quick `watch --once` runs over the same window of data cannot add up to K.
 */
export function withEvaluation(lock: GuardLock, healthy: boolean, now: number, minSpacingMs = 0): GuardLock {
  const last = lock.release.lastEvaluationAt ? Date.parse(lock.release.lastEvaluationAt) : undefined;
  if (healthy && last !== undefined && now - last < minSpacingMs) return lock;
  return {
    ...lock,
    release: {
      ...lock.release,
      healthyStreak: healthy ? lock.release.healthyStreak + 1 : 0,
      lastEvaluationAt: iso(now),
    },
  };
}

export type ParsedLockFile = { kind: 'lock'; lock: GuardLock } | { kind: 'corrupt'; problem: string };

/** The original script's default window: `qos_guard.sh status` assumed 15 minutes. */
export const LEGACY_DURATION_MS = 15 * 60_000;

function isLock(v: unknown): v is GuardLock {
  const l = v as GuardLock;
  return (
    typeof l === 'object' &&
    l !== null &&
    typeof l.lockedAt === 'string' &&
    !Number.isNaN(ms(l.lockedAt)) &&
    typeof l.until === 'string' &&
    !Number.isNaN(ms(l.until)) &&
    typeof l.reason === 'string' &&
    typeof l.by === 'string'
  );
}

/**
 * Reads a lock file: our JSON, or the original qos_guard.sh content (epoch seconds of the lock
 * time, lasting 15 minutes). Anything else is reported as corrupt; callers treat that as locked.
 */
export function parseLockFile(text: string): ParsedLockFile {
  const trimmed = text.trim();
  if (/^\d{9,11}$/.test(trimmed)) {
    const lockedAt = Number(trimmed) * 1_000;
    return {
      kind: 'lock',
      lock: {
        id: `legacy-${trimmed}`,
        lockedAt: iso(lockedAt),
        until: iso(lockedAt + LEGACY_DURATION_MS),
        reason: 'locked by qos_guard.sh (legacy format)',
        by: 'unknown',
        release: { mode: 'time', healthyEvaluations: 0, healthyStreak: 0 },
        legacy: true,
      },
    };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch {
    return { kind: 'corrupt', problem: 'neither JSON nor epoch seconds' };
  }
  if (!isLock(doc)) return { kind: 'corrupt', problem: 'JSON without lockedAt, until, reason and by' };
  const release = (doc as Partial<GuardLock>).release;
  return {
    kind: 'lock',
    lock: {
      ...doc,
      id: typeof doc.id === 'string' ? doc.id : `${doc.lockedAt}`,
      release: {
        mode: release?.mode === 'time' ? 'time' : 'slo',
        // At least one: a hand-edited 0 must not release on an unhealthy evaluation (fail closed).
        healthyEvaluations: Math.max(1, Number(release?.healthyEvaluations ?? 3) || 1),
        healthyStreak: Number(release?.healthyStreak ?? 0),
        ...(release?.lastEvaluationAt ? { lastEvaluationAt: release.lastEvaluationAt } : {}),
        ...(release?.expiresAt ? { expiresAt: release.expiresAt } : {}),
      },
    },
  };
}

export function serializeLock(lock: GuardLock): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}
