/**
 * Shared timeline helpers for the decide() tables: a notification is a Step at a time, and a
 * test plays a list of them through decide() the way the pipeline does.
 */
import { expect } from 'vitest';
import { decide } from './decide.js';
import { groupStatus } from './thread-key.js';
import type {
  Alert,
  AlertStatus,
  Decision,
  EpisodeState,
  Notification,
  NotificationReason,
  ThreadAction,
  ThreadPolicy,
} from './types.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const KEY = 'group:team-a/{}:{alertname="HighErrorRate"}';
export const POLICY: ThreadPolicy = { reopenWindowMs: 0, duplicateWindowMs: MIN, replyOnRepeat: false };

export function alert(
  fingerprint: string,
  status: AlertStatus,
  annotations: Record<string, string> = {},
): Alert {
  return {
    status,
    labels: { alertname: 'HighErrorRate', instance: fingerprint },
    annotations: { summary: `errors on ${fingerprint}`, ...annotations },
    startsAt: '2026-11-26T10:00:00Z',
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-26T11:00:00Z',
    generatorURL: 'http://prometheus/graph',
    fingerprint,
  };
}
export const fire = (fp: string, annotations?: Record<string, string>): Alert =>
  alert(fp, 'firing', annotations);
export const resolve = (fp: string): Alert => alert(fp, 'resolved');

/** One notification arriving at `at` ms. Group status follows the alerts unless given. */
export interface Step {
  at: number;
  alerts: Alert[];
  status?: AlertStatus;
  truncated?: number;
  reason?: NotificationReason;
  wholeGroup?: boolean;
  channel?: string;
}

export function notification(step: Step): Notification {
  const n: Notification = {
    version: '4',
    groupKey: '{}:{alertname="HighErrorRate"}',
    truncatedAlerts: step.truncated ?? 0,
    status: step.status ?? groupStatus(step.alerts),
    receiver: 'team-a',
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: { alertname: 'HighErrorRate' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager',
    alerts: step.alerts,
  };
  if (step.reason) n.notificationReason = step.reason;
  return n;
}

/** Feeds a timeline through decide(), each decision's `next` becoming the next `prev`. */
export function play(
  steps: Step[],
  policy: ThreadPolicy = POLICY,
): { decisions: Decision[]; prevs: (EpisodeState | null)[] } {
  let prev: EpisodeState | null = null;
  const decisions: Decision[] = [];
  const prevs: (EpisodeState | null)[] = [];
  for (const step of steps) {
    const part = { threadKey: KEY, wholeGroup: step.wholeGroup ?? true, notification: notification(step) };
    prevs.push(prev);
    const snapshot = structuredClone(prev);
    const d = decide(prev, part, { channel: step.channel ?? 'C1', now: step.at, policy });
    expect(prev, 'decide() must not change the state it was given').toEqual(snapshot);
    decisions.push(d);
    prev = d.next;
  }
  return { decisions, prevs };
}
export const last = <T>(xs: T[]): T => xs[xs.length - 1] as T;

/** Actions as short sentences, so a table row reads like the Slack thread it produces. */
export function describeAction(a: ThreadAction): string {
  if (a.type !== 'reply') return a.type;
  const c = a.change;
  switch (c.kind) {
    case 'firing':
      return `reply firing ${c.alerts.map((x) => x.fingerprint).join(',')}`;
    case 'resolved':
      return `reply resolved ${c.alerts.map((x) => x.fingerprint).join(',')} (still ${c.stillFiring})`;
    case 'all_resolved':
      return `reply all_resolved ${c.alerts.map((x) => x.fingerprint).join(',')} after ${c.durationMs / MIN} min`;
    case 'still_firing':
      return `reply still_firing ${c.firing}`;
    case 'reopened':
      return `reply reopened ${c.alerts.map((x) => x.fingerprint).join(',')} (#${c.reopenCount})`;
  }
}

/** Reads the state after a timeline as the parent message would show it. */
export function view(state: EpisodeState | null) {
  if (!state) return null;
  return {
    seq: state.seq,
    status: state.status,
    channel: state.channel,
    firing: Object.values(state.alerts)
      .filter((a) => a.status === 'firing')
      .map((a) => a.fingerprint),
    resolved: Object.values(state.alerts)
      .filter((a) => a.status === 'resolved')
      .map((a) => a.fingerprint),
    truncatedAlerts: state.truncatedAlerts,
    notificationCount: state.notificationCount,
    lastNotifiedAt: state.lastNotifiedAt,
  };
}
