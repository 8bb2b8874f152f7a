import { formatDuration } from '../config/duration.js';
import type { SloResult, GuardEvaluation } from './evaluation.js';
import type { GuardStatus } from './guard.js';
import type { GuardLock } from './lock.js';

/** "http_5xx_ratio: Failed — 25% <= 1% does not hold". */
export function formatResultLine(r: SloResult): string {
  return `${r.check}: ${r.outcome} — ${r.message}`;
}

export function formatEvaluation(e: GuardEvaluation): string[] {
  return [
    `${new Date(e.at).toISOString()} ${e.healthy ? 'healthy' : 'NOT healthy'}`,
    ...e.results.map((r) => `  ${formatResultLine(r)}`),
  ];
}

function releaseLine(lock: GuardLock): string {
  if (lock.release.mode === 'time') return `release: expires at ${lock.until}`;
  const r = lock.release;
  const cap = r.expiresAt ? `; expires regardless at ${r.expiresAt}` : '';
  return `release: minimum duration, then ${r.healthyEvaluations} consecutive healthy evaluations (${r.healthyStreak}/${r.healthyEvaluations} so far)${cap}`;
}

const PHASE: Record<NonNullable<GuardStatus['phase']>, string> = {
  minimum: 'minimum duration running',
  awaiting_slo: 'waiting for healthy SLO evaluations (is `threader guard watch` running?)',
  releasable: 'release criteria hold; the next watch tick releases it',
  expired: 'expired',
};

/** Human-readable status, one fact per line. */
export function formatStatus(s: GuardStatus): string[] {
  if (s.corrupt)
    return [`locked: the lock file cannot be read (${s.corrupt}); fix it or unlock --force --reason TEXT`];
  if (!s.locked || !s.lock) {
    const lines = ['unlocked'];
    if (s.expired)
      lines.push(
        `(removed an expired lock by ${s.expired.by}: ${s.expired.reason}, until ${s.expired.until})`,
      );
    return lines;
  }
  const l = s.lock;
  const left = s.remainingMs ? ` (${formatDuration(s.remainingMs)} left)` : '';
  return [
    `locked since ${l.lockedAt} by ${l.by}: ${l.reason}`,
    `minimum until ${l.until}${left}${l.legacy ? ' [legacy qos_guard.sh lock]' : ''}`,
    releaseLine(l),
    `state: ${PHASE[s.phase ?? 'minimum']}`,
  ];
}

/** The JSON form of `guard status --json`. */
export function statusJson(s: GuardStatus): Record<string, unknown> {
  return {
    locked: s.locked,
    ...(s.phase ? { phase: s.phase } : {}),
    ...(s.remainingMs !== undefined ? { remainingMs: s.remainingMs } : {}),
    ...(s.lock ? { lock: s.lock } : {}),
    ...(s.expired ? { expired: s.expired } : {}),
    ...(s.corrupt ? { corrupt: s.corrupt } : {}),
  };
}

/**
 * A briefing for a human channel (the Slack thread sink will post this): lock state, each SLO
 * against its threshold, time left. Plain text; the Slack renderer escapes it.
 */
export function formatBriefing(status: GuardStatus, evaluation?: GuardEvaluation): string {
  const lines = [headline(status)];
  if (evaluation) lines.push(...evaluation.results.map((r) => `• ${formatResultLine(r)}`));
  return lines.join('\n');
}

function headline(status: GuardStatus): string {
  if (!status.locked || !status.lock) return 'QoS guard: unlocked — deploys may proceed.';
  const l = status.lock;
  const left = status.remainingMs
    ? `${formatDuration(status.remainingMs)} of minimum left`
    : 'minimum duration over';
  const streak =
    l.release.mode === 'slo'
      ? `, ${l.release.healthyStreak}/${l.release.healthyEvaluations} healthy evaluations`
      : '';
  return `QoS guard: LOCKED (${l.reason}) — ${left}${streak}.`;
}
