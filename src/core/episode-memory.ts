/**
 * How an episode remembers what a notification showed: per alert, the latest values plus the
 * FIRST annotations and first sighting (the parent keeps the first firing values); per group,
 * the latest group-level fields.
 */
import type { Alert, AlertMemory, Notification, NotificationPart } from './types.js';

/** The alert as this notification shows it; the FIRST annotations and first sighting are kept. */
export function remember(known: AlertMemory | undefined, a: Alert, now: number): AlertMemory {
  const memory: AlertMemory = {
    fingerprint: a.fingerprint,
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    firstAnnotations: known?.firstAnnotations ?? a.annotations,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    generatorURL: a.generatorURL,
    firstSeenAt: known?.firstSeenAt ?? now,
  };
  if (a.status === 'resolved') memory.resolvedAt = known?.resolvedAt ?? now;
  return memory;
}

export type GroupFields = Pick<
  Notification,
  | 'receiver'
  | 'groupKey'
  | 'groupLabels'
  | 'commonLabels'
  | 'commonAnnotations'
  | 'externalURL'
  | 'truncatedAlerts'
>;

/** The group-level fields an episode mirrors from its latest notification. */
export function groupFields(part: NotificationPart): GroupFields {
  const n = part.notification;
  return {
    receiver: n.receiver,
    groupKey: n.groupKey,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL: n.externalURL,
    truncatedAlerts: n.truncatedAlerts,
  };
}
