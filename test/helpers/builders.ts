import type { Alert, EpisodeState, Notification, NotificationPart } from '../../src/core/types.js';

/** Builders for Alertmanager payloads and thread state; override only what a test is about. */
export function alert(over: Partial<Alert> & { labels?: Record<string, string> } = {}): Alert {
  const labels = { alertname: 'HighErrorRate', severity: 'critical', instance: 'api-1', ...over.labels };
  return {
    status: 'firing',
    annotations: { summary: `errors on ${labels.instance}`, description: '5xx ratio is 12%' },
    startsAt: '2026-11-26T12:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.local/graph?g0.expr=up',
    fingerprint: `fp-${labels.alertname}-${labels.instance}`,
    ...over,
    labels,
  };
}

export function notification(over: Partial<Notification> = {}): Notification {
  const alerts = over.alerts ?? [alert()];
  return {
    version: '4',
    groupKey: '{}/{}:{alertname="HighErrorRate"}',
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'slack-threads',
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: { alertname: 'HighErrorRate', severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.local:9093',
    ...over,
    alerts,
  };
}

/** The JSON body Alertmanager would POST. */
export function webhookBody(over: Partial<Notification> = {}): Record<string, unknown> {
  return { ...notification(over) };
}

export function part(
  over: Partial<Notification> = {},
  threadKey = 'slack-threads/{}:{alertname="HighErrorRate"}',
): NotificationPart {
  return { threadKey, wholeGroup: true, notification: notification(over) };
}

export function episode(over: Partial<EpisodeState> = {}): EpisodeState {
  const a = alert();
  return {
    id: 'ep_test1',
    threadKey: 'slack-threads/{}:{alertname="HighErrorRate"}',
    seq: 1,
    channel: 'C_ALERTS',
    status: 'firing',
    receiver: 'slack-threads',
    groupKey: '{}:{alertname="HighErrorRate"}',
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: { alertname: 'HighErrorRate', severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.local:9093',
    truncatedAlerts: 0,
    alerts: {
      [a.fingerprint]: {
        fingerprint: a.fingerprint,
        status: 'firing',
        labels: a.labels,
        annotations: a.annotations,
        firstAnnotations: a.annotations,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        generatorURL: a.generatorURL,
        firstSeenAt: 1_000,
      },
    },
    openedAt: 1_000,
    lastNotifiedAt: 1_000,
    notificationCount: 1,
    reopenCount: 0,
    ...over,
  };
}
