import type { AlertStatus } from '../../core/types.js';
import { compact, identifyingLabels, labelPairs, plural } from './format.js';
import { STATUS_EMOJI } from './style.js';

export interface AlertLineInput {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Room for one alert's summary in a line; the whole list is packed into 3,000-char sections. */
const SUMMARY_CHARS = 300;

/** The one-line text of an alert: its summary, else its description, else Prometheus' `message`. */
export function alertText(annotations: Record<string, string>): string {
  return annotations.summary ?? annotations.description ?? annotations.message ?? '';
}

/**
 * One line per alert: status emoji, the labels that identify it within its group, and its summary.
 * When neither exists (a one-alert group without annotations) the alertname stands in.
 */
export function alertLine(alert: AlertLineInput, common: Record<string, string>): string {
  const ident = labelPairs(identifyingLabels(alert.labels, common));
  const text = compact(alertText(alert.annotations), SUMMARY_CHARS);
  const body =
    [ident, text].filter(Boolean).join(' — ') || compact(alert.labels.alertname ?? 'alert', SUMMARY_CHARS);
  return `${STATUS_EMOJI[alert.status]} ${body}`;
}

/** At most `max` lines, then "+N more" so nobody mistakes the list for the whole group. */
export function alertLines(alerts: AlertLineInput[], common: Record<string, string>, max: number): string[] {
  const lines = alerts.slice(0, max).map((a) => alertLine(a, common));
  const more = alerts.length - lines.length;
  if (more > 0) lines.push(`_+${plural(more, 'more alert')}_`);
  return lines;
}
