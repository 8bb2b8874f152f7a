/**
 * What the parent message, the API and the metrics say about an episode, computed from its state.
 * Strings here are raw user text: escaping for Slack is the renderer's job.
 */
import type { Alert, AlertMemory, AlertSummary, EpisodeState } from './types.js';

/** Highest first. `unknown` when no alert has a recognised `severity` label. */
export const SEVERITIES = ['critical', 'error', 'warning', 'info', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface EpisodeCounts {
  firing: number;
  resolved: number;
  /** Alerts the episode remembers; `truncatedAlerts` are not in it (the parent shows "+N more"). */
  total: number;
}

export function episodeCounts(state: EpisodeState): EpisodeCounts {
  let firing = 0;
  let resolved = 0;
  for (const alert of Object.values(state.alerts)) {
    if (alert.status === 'firing') firing++;
    else resolved++;
  }
  return { firing, resolved, total: firing + resolved };
}

/**
 * The highest `severity` label (case-insensitive) among the firing alerts, or among all alerts
 * once nothing fires, so a resolved thread still shows what it was. Falls back to commonLabels.
 */
export function episodeSeverity(state: EpisodeState): Severity {
  const alerts = Object.values(state.alerts);
  const firing = alerts.filter((a) => a.status === 'firing');
  const labelSets = (firing.length > 0 ? firing : alerts).map((a) => a.labels);
  let best: Severity = severityOf(state.commonLabels.severity);
  for (const labels of labelSets) {
    const s = severityOf(labels.severity);
    if (SEVERITIES.indexOf(s) < SEVERITIES.indexOf(best)) best = s;
  }
  return best;
}

function severityOf(value: string | undefined): Severity {
  const normalised = value?.trim().toLowerCase();
  return SEVERITIES.find((s) => s === normalised && s !== 'unknown') ?? 'unknown';
}

const MAX_TITLE_NAMES = 3;

/**
 * "HighErrorRate — cluster=eu1, service=api": the alert names (first-seen order, at most three
 * then "+N") and the group labels other than alertname, which say where it happens.
 */
export function episodeTitle(state: EpisodeState): string {
  const names = [...new Set(Object.values(state.alerts).map((a) => a.labels.alertname ?? ''))].filter(
    Boolean,
  );
  if (names.length === 0) {
    const fallback = state.groupLabels.alertname ?? state.commonLabels.alertname;
    if (fallback) names.push(fallback);
  }
  const shown = names.slice(0, MAX_TITLE_NAMES).join(', ');
  const more = names.length > MAX_TITLE_NAMES ? ` +${names.length - MAX_TITLE_NAMES}` : '';
  const where = Object.entries(state.groupLabels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const what = (shown || 'Alert') + more;
  return where ? `${what} — ${where}` : what;
}

/**
 * When the trouble began: the earliest `startsAt` among the episode's alerts (Alertmanager's own
 * record of when each alert began firing), never later than the moment we opened the episode.
 */
export function firstFiredAt(state: EpisodeState): number {
  let first = state.openedAt;
  for (const a of Object.values(state.alerts)) {
    const t = Date.parse(a.startsAt);
    if (Number.isFinite(t) && t > 0 && t < first) first = t;
  }
  return first;
}

/** Open episodes run until `now`; resolved ones until they resolved; from the first firing. Never negative. */
export function durationMs(state: EpisodeState, now: number): number {
  return Math.max(0, (state.resolvedAt ?? now) - firstFiredAt(state));
}

/** The small form of an alert that replies carry. */
export function toAlertSummary(alert: Alert | AlertMemory): AlertSummary {
  return {
    fingerprint: alert.fingerprint,
    status: alert.status,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    generatorURL: alert.generatorURL,
  };
}
