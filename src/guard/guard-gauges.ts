import type { Metrics } from '../telemetry/metrics.js';
import type { GuardState } from './read-state.js';

/**
 * The guard's gauges, set from what the lock file says when /metrics is scraped. An unreadable
 * lock file counts as locked (the guard fails closed, so the alert on "locked too long" fires).
 * SLO values are only exported while a lock records its latest evaluation: a stale value from a
 * finished lock would look current.
 */
export function setGuardGauges(m: Metrics, s: GuardState): void {
  m.guardLocked.set(s.configured && s.locked ? 1 : 0);
  const lock = s.configured && s.locked && 'lock' in s ? s : undefined;
  m.guardLockRemaining.set(lock ? lock.remainingMs / 1000 : 0);
  m.guardHealthyEvaluations.set(lock ? lock.lock.release.healthyStreak : 0);
  m.guardHealthyEvaluationsRequired.set(
    lock && lock.lock.release.mode === 'slo' ? lock.lock.release.healthyEvaluations : 0,
  );
  m.guardSloValue.reset();
  m.guardSloThreshold.reset();
  for (const r of lock?.evaluation?.results ?? []) {
    m.guardSloThreshold.set({ slo: r.check }, r.threshold);
    if (r.value !== undefined) m.guardSloValue.set({ slo: r.check }, r.value);
  }
}
