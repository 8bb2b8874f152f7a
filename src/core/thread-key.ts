/**
 * Which thread each alert of a notification belongs to.
 *
 * Keys start with the mode and the receiver, so keys of different modes or receivers never meet.
 * Parts of a key are percent-encoded where a separator could otherwise be forged by a label value
 * (`/`, `,`, `=`); the group key is last, so it needs no encoding.
 */
import { createHash } from 'node:crypto';
import type { Alert, AlertStatus, Notification, NotificationPart, ThreadKeyMode } from './types.js';

export function splitByThreadKey(n: Notification, mode: ThreadKeyMode): NotificationPart[] {
  const receiver = encodeURIComponent(n.receiver);
  switch (mode.mode) {
    case 'group':
      return [{ threadKey: `group:${receiver}/${n.groupKey}`, wholeGroup: true, notification: n }];
    case 'alert':
      return partsBy(n, (a) => `alert:${receiver}/${encodeURIComponent(a.fingerprint)}`);
    case 'labels':
      return partsBy(n, (a) => `labels:${receiver}/${labelKey(a.labels, mode.labels)}`);
  }
}

/** `alertname=HighErrorRate,cluster=eu1`, in the configured order; a missing label is an empty value. */
function labelKey(labels: Record<string, string>, names: readonly string[]): string {
  return names
    .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(labels[name] ?? '')}`)
    .join(',');
}

/** Groups alerts by key, parts in order of their first alert. */
function partsBy(n: Notification, keyOf: (a: Alert) => string): NotificationPart[] {
  const groups = new Map<string, Alert[]>();
  for (const alert of n.alerts) {
    const key = keyOf(alert);
    const list = groups.get(key);
    if (list) list.push(alert);
    else groups.set(key, [alert]);
  }
  return [...groups].map(([threadKey, alerts]) => ({
    threadKey,
    wholeGroup: false,
    notification: subNotification(n, alerts),
  }));
}

/**
 * The part of a notification holding `alerts`, with the group-level fields recomputed the way
 * Alertmanager computes them for a group. `truncatedAlerts` is 0: we cannot tell which part the
 * truncated alerts belong to. `notificationReason` is dropped: it describes the whole group, not
 * this part, and decide() derives the part's own reason from state.
 */
function subNotification(n: Notification, alerts: Alert[]): Notification {
  const { notificationReason: _groupReason, ...rest } = n;
  return {
    ...rest,
    status: groupStatus(alerts),
    alerts,
    commonLabels: intersect(alerts.map((a) => a.labels)),
    commonAnnotations: intersect(alerts.map((a) => a.annotations)),
    truncatedAlerts: 0,
  };
}

/** Alertmanager's rule: a group is firing while any of its alerts is. */
export function groupStatus(alerts: readonly Alert[]): AlertStatus {
  return alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
}

/** The pairs present with the same value in every map. */
export function intersect(maps: readonly Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) {
    if (rest.every((m) => m[k] === v)) out[k] = v;
  }
  return out;
}

/**
 * Deterministic id of the seq-th episode of a thread key: the same on every replica and after a
 * restart, so it can be the store's unique key and the Slack message metadata we reconcile by.
 * The seq follows the last newline, so no (key, seq) pair can spell another one.
 */
export function episodeId(threadKey: string, seq: number): string {
  return 'ep_' + createHash('sha256').update(`${threadKey}\n${seq}`).digest('hex').slice(0, 20);
}
