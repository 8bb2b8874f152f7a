import type { Comparator, Outcome } from '../metrics/types.js';
import { LockFile } from './lock-file.js';
import { lockPhase, remainingMs, type GuardLock, type LockPhase } from './lock.js';

/**
 * The guard as `threader serve` shows it (dashboard, gauges): read-only. Unlike `guard status`
 * it never removes an expired lock — a reader must not write — it only says the lock is over.
 */

/** Where the lock file is: named by THREADER_GUARD_FILE / guard.lockFile, or the default place. */
export interface GuardSource {
  lockFile?: string;
  /** The config sets the guard up (a provider) even though no lock file is named. */
  configured?: boolean;
  /** Used only when nothing names a file: a guard counts as set up once a lock was taken there. */
  defaultLockFile(): string;
}

/** One SLO's result, as `guard watch` records its latest evaluation in the lock file (`lastEvaluation`). */
export interface RecordedResult {
  check: string;
  outcome: Outcome;
  value?: number;
  comparator: Comparator;
  threshold: number;
  unit?: 'ratio' | 'seconds' | 'number';
  message: string;
}

export interface RecordedEvaluation {
  at: number;
  healthy: boolean;
  results: RecordedResult[];
}

export type GuardState =
  | { configured: false }
  | { configured: true; file: string; locked: false; expired?: GuardLock }
  | { configured: true; file: string; locked: true; corrupt: string }
  | {
      configured: true;
      file: string;
      locked: true;
      lock: GuardLock;
      phase: LockPhase;
      /** Of the minimum duration. */
      remainingMs: number;
      evaluation?: RecordedEvaluation;
    };

export async function readGuardState(source: GuardSource, now: number): Promise<GuardState> {
  const file = source.lockFile ?? source.defaultLockFile();
  const stored = await new LockFile(file).read();
  if (stored.kind === 'none')
    return source.lockFile || source.configured
      ? { configured: true, file, locked: false }
      : { configured: false };
  if (stored.kind === 'corrupt') return { configured: true, file, locked: true, corrupt: stored.problem };
  const phase = lockPhase(stored.lock, now);
  if (phase === 'expired') return { configured: true, file, locked: false, expired: stored.lock };
  const evaluation = recordedEvaluation(
    (stored.lock as GuardLock & { lastEvaluation?: unknown }).lastEvaluation,
  );
  return {
    configured: true,
    file,
    locked: true,
    lock: stored.lock,
    phase,
    remainingMs: remainingMs(stored.lock, now),
    ...(evaluation ? { evaluation } : {}),
  };
}

const OUTCOMES: readonly string[] = ['Successful', 'Failed', 'Inconclusive', 'Error'];
const COMPARATORS: readonly string[] = ['<', '<=', '>', '>=', '==', '!='];

/** The file is written by other processes (and people): anything malformed counts as no evaluation. */
export function recordedEvaluation(raw: unknown): RecordedEvaluation | undefined {
  const e = raw as { at?: unknown; healthy?: unknown; results?: unknown } | undefined;
  if (!e || typeof e !== 'object' || !Array.isArray(e.results)) return undefined;
  const at = typeof e.at === 'number' ? e.at : typeof e.at === 'string' ? Date.parse(e.at) : NaN;
  if (!Number.isFinite(at)) return undefined;
  const results: RecordedResult[] = [];
  for (const r of e.results as Array<Record<string, unknown>>) {
    if (!r || typeof r.check !== 'string' || !OUTCOMES.includes(String(r.outcome))) continue;
    if (!COMPARATORS.includes(String(r.comparator)) || typeof r.threshold !== 'number') continue;
    results.push({
      check: r.check,
      outcome: r.outcome as Outcome,
      comparator: r.comparator as Comparator,
      threshold: r.threshold,
      message: typeof r.message === 'string' ? r.message : '',
      ...(typeof r.value === 'number' && Number.isFinite(r.value) ? { value: r.value } : {}),
      ...(r.unit === 'ratio' || r.unit === 'seconds' || r.unit === 'number' ? { unit: r.unit } : {}),
    });
  }
  return { at, healthy: e.healthy === true, results };
}
