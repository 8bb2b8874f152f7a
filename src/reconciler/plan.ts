import type { AmAlert } from '../alertmanager/types.js';
import type { EpisodeState, NotificationPart } from '../core/types.js';

/**
 * Which open threads the reconciler closes, and the resolve it feeds through the normal pipeline
 * for each. Pure: Alertmanager's answer, the open episodes and the time come in as arguments.
 */

export interface ReconcilePolicy {
  /** Threads notified more recently than this are left alone: their resolve may be on its way. */
  graceMs: number;
}

/** When each thread was first seen gone, in rounds since; carried from one round to the next. */
export type MissingSince = ReadonlyMap<string, number>;

/**
 * Which of the threads seen gone this round are gone for sure. One empty answer proves little: a
 * restarted Alertmanager holds no alerts until Prometheus sends them again (every resend delay,
 * 1 min by default), and its notification log survives the restart, so it would not send the
 * firing group again before repeat_interval — a thread closed then shows RESOLVED on a live
 * incident for hours. So a thread closes only once it was seen gone in an earlier round more than
 * `confirmMs` ago and is still gone now; a round where it is present (or notified) forgets it.
 * `confirmMs` 0 closes on the first round (tests, or an Alertmanager that never restarts).
 */
export function confirmGone(
  gone: readonly EpisodeState[],
  missingSince: MissingSince,
  now: number,
  confirmMs: number,
): { close: EpisodeState[]; missingSince: Map<string, number> } {
  const close: EpisodeState[] = [];
  const next = new Map<string, number>();
  for (const s of gone) {
    const first = missingSince.get(s.id);
    if (confirmMs === 0 || (first !== undefined && now - first > confirmMs)) close.push(s);
    else next.set(s.id, first ?? now);
  }
  return { close, missingSince: next };
}

/** An open thread is gone when Alertmanager reports none of its firing alerts any more. */
export function isGone(
  state: EpisodeState,
  reported: readonly AmAlert[],
  fingerprints: ReadonlySet<string>,
): boolean {
  const firing = Object.values(state.alerts).filter((a) => a.status === 'firing');
  if (firing.length === 0) return false;
  if (firing.some((a) => fingerprints.has(a.fingerprint))) return false;
  // Alerts Alertmanager truncated away have fingerprints we never saw: then the group's labels
  // decide — any reported alert carrying all of them keeps the thread open.
  if (state.truncatedAlerts > 0) {
    const common = Object.entries(state.commonLabels);
    if (reported.some((r) => common.every(([k, v]) => r.labels[k] === v))) return false;
  }
  return true;
}

export function threadsToClose(
  open: readonly EpisodeState[],
  reported: readonly AmAlert[],
  now: number,
  policy: ReconcilePolicy,
): EpisodeState[] {
  const fingerprints = new Set(reported.map((a) => a.fingerprint));
  return open.filter(
    (s) =>
      s.status === 'firing' && now - s.lastNotifiedAt >= policy.graceMs && isGone(s, reported, fingerprints),
  );
}

/**
 * The resolve Alertmanager never delivered, as it would have sent it: every alert still firing in
 * the thread, now resolved. Not whole-group, so an alert that joined meanwhile stays firing.
 */
export function syntheticResolve(state: EpisodeState, now: number): NotificationPart {
  const endsAt = new Date(now).toISOString();
  return {
    threadKey: state.threadKey,
    wholeGroup: false,
    notification: {
      version: '4',
      groupKey: state.groupKey,
      truncatedAlerts: state.truncatedAlerts,
      status: 'resolved',
      receiver: state.receiver,
      groupLabels: state.groupLabels,
      commonLabels: state.commonLabels,
      commonAnnotations: state.commonAnnotations,
      externalURL: state.externalURL,
      alerts: Object.values(state.alerts)
        .filter((a) => a.status === 'firing')
        .map((a) => ({
          status: 'resolved' as const,
          labels: a.labels,
          annotations: a.annotations,
          startsAt: a.startsAt,
          endsAt,
          generatorURL: a.generatorURL,
          fingerprint: a.fingerprint,
        })),
    },
  };
}
