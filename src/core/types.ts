/**
 * Domain types of alert threads. Pure data: no I/O, no clock. Times are epoch milliseconds
 * unless a field says ISO (those come verbatim from Alertmanager).
 */

export type AlertStatus = 'firing' | 'resolved';

/** One alert as Alertmanager's webhook v4 sends it. */
export interface Alert {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  /** Alertmanager's fingerprint; computed from the labels when a sender omits it. */
  fingerprint: string;
}

/** Alertmanager ≥ 0.32 sends one of these (protocol strings, keep exact). */
export const NOTIFICATION_REASONS = [
  'first notification',
  'new alerts added',
  'some alerts resolved',
  'all alerts resolved',
  'repeat interval elapsed',
] as const;
export type NotificationReason = (typeof NOTIFICATION_REASONS)[number];

/** Alertmanager webhook payload, version "4". */
export interface Notification {
  version: string;
  groupKey: string;
  truncatedAlerts: number;
  status: AlertStatus;
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: Alert[];
  /** Since Alertmanager 0.32; absent from Debian's 0.25. */
  notificationReason?: NotificationReason;
  /** Since Alertmanager 0.34. */
  routeLabels?: Record<string, string>;
}

export type ThreadKeyMode = { mode: 'group' } | { mode: 'alert' } | { mode: 'labels'; labels: string[] };

/**
 * The slice of one notification that belongs to one thread key. In `group` mode it is the whole
 * notification; in `alert` and `labels` modes a notification splits into several parts.
 */
export interface NotificationPart {
  threadKey: string;
  /** True when this part holds every alert of the notification (group mode). */
  wholeGroup: boolean;
  notification: Notification;
}

/** What the thread remembers of one alert. */
export interface AlertMemory {
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  /** Annotations of the latest notification. */
  annotations: Record<string, string>;
  /** Annotations when the alert first fired in this episode: the parent keeps the FIRST values. */
  firstAnnotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  /** When this episode first saw it firing / resolved (epoch ms). */
  firstSeenAt: number;
  resolvedAt?: number;
}

/** One episode = one Slack thread: from the first firing notification until everything resolved. */
export interface EpisodeState {
  /** Deterministic: episodeId(threadKey, seq). */
  id: string;
  threadKey: string;
  seq: number;
  channel: string;
  status: AlertStatus;
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  truncatedAlerts: number;
  /** Keyed by fingerprint, in first-seen order. */
  alerts: Record<string, AlertMemory>;
  openedAt: number;
  resolvedAt?: number;
  /** Last notification that was not a duplicate. */
  lastNotifiedAt: number;
  notificationCount: number;
  /** Times the episode was reopened inside the reopen window (flapping). */
  reopenCount: number;
  /** The episode this one follows when a resolved group fired again. */
  previous?: { id: string; channel: string; seq: number };
}

/** Why a notification was sent; our own values extend Alertmanager's for what only we can tell. */
export type DecisionReason =
  | NotificationReason
  | 'duplicate'
  | 'fired again'
  | 'reopened'
  | 'ignored'
  /** Set by the pipeline, never by decide(): processing this notification raised an error. */
  | 'failed';

export interface AlertSummary {
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/** What a reply tells. Rendered to Block Kit at send time by slack/render. */
export type ReplyChange =
  | { kind: 'firing'; alerts: AlertSummary[] }
  | { kind: 'resolved'; alerts: AlertSummary[]; stillFiring: number }
  | { kind: 'all_resolved'; alerts: AlertSummary[]; durationMs: number }
  | { kind: 'still_firing'; firing: number }
  | { kind: 'reopened'; alerts: AlertSummary[]; reopenCount: number };

/** Effects decided by the pure core; the pipeline turns them into outbox rows in the same transaction. */
export type ThreadAction =
  | { type: 'post_parent'; episodeId: string }
  | { type: 'update_parent'; episodeId: string }
  | { type: 'reply'; episodeId: string; change: ReplyChange };

export interface ThreadPolicy {
  /** A resolved group that fires again within this window reuses its thread (0 = always new thread). */
  reopenWindowMs: number;
  /** Notifications with no state change arriving within this window of the last one are duplicates. */
  duplicateWindowMs: number;
  /** Post a "still firing" reply on repeat notifications (default: only edit the parent). */
  replyOnRepeat: boolean;
}

export interface Decision {
  reason: DecisionReason;
  /** The episode after this notification (the previous one is untouched when a new one starts). */
  next: EpisodeState | null;
  actions: ThreadAction[];
}
