import { describe, expect, it } from 'vitest';
import { episodeId, splitByThreadKey } from './thread-key.js';
import type { Alert, AlertStatus, Notification, ThreadKeyMode } from './types.js';

function alert(
  fingerprint: string,
  status: AlertStatus,
  labels: Record<string, string>,
  summary = 's',
): Alert {
  return {
    status,
    labels,
    annotations: { summary, runbook: 'http://runbook' },
    startsAt: '2026-11-26T10:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: '',
    fingerprint,
  };
}

const a1 = alert('f1', 'firing', { alertname: 'HighErrorRate', cluster: 'eu1', service: 'api' }, 'one');
const a2 = alert('f2', 'resolved', { alertname: 'HighErrorRate', cluster: 'us1', service: 'api' }, 'two');
const a3 = alert('f3', 'firing', { alertname: 'HighErrorRate', cluster: 'eu1', service: 'web' }, 'three');
const a4 = alert('f4', 'resolved', { alertname: 'HighErrorRate', service: 'db' }, 'four');

const notification: Notification = {
  version: '4',
  groupKey: '{}/{team="a"}:{alertname="HighErrorRate"}',
  truncatedAlerts: 7,
  status: 'firing',
  receiver: 'team/a',
  groupLabels: { alertname: 'HighErrorRate' },
  commonLabels: { alertname: 'HighErrorRate' },
  commonAnnotations: { runbook: 'http://runbook' },
  externalURL: 'http://am',
  alerts: [a1, a2, a3, a4],
  notificationReason: 'new alerts added',
};

describe('splitByThreadKey', () => {
  it('group mode keeps the whole notification in one part keyed by receiver and groupKey', () => {
    expect(splitByThreadKey(notification, { mode: 'group' })).toEqual([
      {
        threadKey: 'group:team%2Fa/{}/{team="a"}:{alertname="HighErrorRate"}',
        wholeGroup: true,
        notification,
      },
    ]);
  });

  it('alert mode makes one part per alert, keyed by receiver and fingerprint, in notification order', () => {
    const parts = splitByThreadKey(notification, { mode: 'alert' });
    expect(parts.map((p) => [p.threadKey, p.wholeGroup, p.notification.alerts])).toEqual([
      ['alert:team%2Fa/f1', false, [a1]],
      ['alert:team%2Fa/f2', false, [a2]],
      ['alert:team%2Fa/f3', false, [a3]],
      ['alert:team%2Fa/f4', false, [a4]],
    ]);
  });

  it('labels mode groups alerts by the configured labels, a missing label counting as empty', () => {
    const parts = splitByThreadKey(notification, { mode: 'labels', labels: ['alertname', 'cluster'] });
    expect(parts.map((p) => [p.threadKey, p.notification.alerts.map((a) => a.fingerprint)])).toEqual([
      ['labels:team%2Fa/alertname=HighErrorRate,cluster=eu1', ['f1', 'f3']],
      ['labels:team%2Fa/alertname=HighErrorRate,cluster=us1', ['f2']],
      ['labels:team%2Fa/alertname=HighErrorRate,cluster=', ['f4']],
    ]);
  });

  it.each<{ name: string; mode: ThreadKeyMode; index: number; expected: Partial<Notification> }>([
    {
      name: 'a split part with a firing alert is firing, with labels and annotations common to its alerts',
      mode: { mode: 'labels', labels: ['cluster'] },
      index: 0,
      expected: {
        status: 'firing',
        commonLabels: { alertname: 'HighErrorRate', cluster: 'eu1' },
        commonAnnotations: { runbook: 'http://runbook' },
        truncatedAlerts: 0,
      },
    },
    {
      name: 'a split part whose alerts are all resolved is resolved although the group is firing',
      mode: { mode: 'alert' },
      index: 1,
      expected: {
        status: 'resolved',
        commonLabels: a2.labels,
        commonAnnotations: a2.annotations,
        truncatedAlerts: 0,
      },
    },
  ])('$name', ({ mode, index, expected }) => {
    const part = splitByThreadKey(notification, mode)[index];
    expect(part?.notification).toMatchObject(expected);
  });

  it.each<{ name: string; mode: ThreadKeyMode }>([
    { name: 'split parts drop the group-wide notification reason in alert mode', mode: { mode: 'alert' } },
    {
      name: 'split parts drop the group-wide notification reason in labels mode',
      mode: { mode: 'labels', labels: ['cluster'] },
    },
  ])('$name', ({ mode }) => {
    for (const part of splitByThreadKey(notification, mode)) {
      expect(part.notification).not.toHaveProperty('notificationReason');
      expect(part.notification.groupKey).toBe(notification.groupKey);
    }
  });

  it('a label value cannot forge another key by containing separators', () => {
    // Joined without escaping, both would read "alertname=A,cluster=B,cluster=C".
    const tricky = alert('x', 'firing', { alertname: 'A,cluster=B', cluster: 'C' });
    const plain = alert('y', 'firing', { alertname: 'A', cluster: 'B,cluster=C' });
    const parts = splitByThreadKey(
      { ...notification, alerts: [tricky, plain] },
      { mode: 'labels', labels: ['alertname', 'cluster'] },
    );
    expect(parts).toHaveLength(2);
  });

  it('receivers that differ only around the separator get different group keys', () => {
    const one = splitByThreadKey({ ...notification, receiver: 'a/b', groupKey: 'c' }, { mode: 'group' });
    const two = splitByThreadKey({ ...notification, receiver: 'a', groupKey: 'b/c' }, { mode: 'group' });
    expect(one[0]?.threadKey).not.toBe(two[0]?.threadKey);
  });

  it('does not change the notification it splits', () => {
    const before = structuredClone(notification);
    splitByThreadKey(notification, { mode: 'labels', labels: ['cluster'] });
    expect(notification).toEqual(before);
  });
});

describe('episodeId', () => {
  it.each([
    { name: 'the same key and seq give the same id', a: ['k', 1], b: ['k', 1], same: true },
    { name: 'another seq gives another id', a: ['k', 1], b: ['k', 2], same: false },
    { name: 'another key gives another id', a: ['k', 1], b: ['j', 1], same: false },
    { name: 'a key ending in digits cannot spell another seq', a: ['k1', 2], b: ['k', 12], same: false },
  ] as const)('$name', ({ a, b, same }) => {
    expect(episodeId(a[0], a[1]) === episodeId(b[0], b[1])).toBe(same);
  });

  it('is short and recognisable', () => {
    expect(episodeId('group:r/k', 1)).toMatch(/^ep_[0-9a-f]{20}$/);
  });
});
