import { describe, expect, it } from 'vitest';
import { decide } from '../core/decide.js';
import type { AlertMemory, EpisodeState } from '../core/types.js';
import type { AmAlert } from '../alertmanager/types.js';
import { confirmGone, syntheticResolve, threadsToClose } from './plan.js';

const NOW = 1_000_000;
const mem = (fp: string, over: Partial<AlertMemory> = {}): AlertMemory => ({
  fingerprint: fp,
  status: 'firing',
  labels: { alertname: 'Down', instance: fp },
  annotations: { summary: fp },
  firstAnnotations: { summary: fp },
  startsAt: '2026-11-26T10:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: '',
  firstSeenAt: 0,
  ...over,
});
const ep = (alerts: AlertMemory[], over: Partial<EpisodeState> = {}): EpisodeState => ({
  id: 'ep_1',
  threadKey: 'k',
  seq: 1,
  channel: 'C1',
  status: 'firing',
  receiver: 'r',
  groupKey: 'g',
  groupLabels: { alertname: 'Down' },
  commonLabels: { alertname: 'Down' },
  commonAnnotations: {},
  externalURL: 'http://am',
  truncatedAlerts: 0,
  alerts: Object.fromEntries(alerts.map((a) => [a.fingerprint, a])),
  openedAt: 0,
  lastNotifiedAt: 0,
  notificationCount: 1,
  reopenCount: 0,
  ...over,
});
const reported = (fp: string, labels: Record<string, string> = { alertname: 'Down' }): AmAlert => ({
  fingerprint: fp,
  labels,
  annotations: {},
  startsAt: '',
  endsAt: '',
  status: { state: 'active', silencedBy: [], inhibitedBy: [] },
});

describe('threadsToClose', () => {
  const policy = { graceMs: 60_000 };
  const cases: Array<[string, EpisodeState, AmAlert[], boolean]> = [
    [
      'a thread whose alerts Alertmanager no longer reports is closed',
      ep([mem('a'), mem('b')]),
      [reported('x')],
      true,
    ],
    ['a thread with one alert still reported stays open', ep([mem('a'), mem('b')]), [reported('b')], false],
    [
      'an alert already resolved in the thread does not keep it open',
      ep([mem('a'), mem('b', { status: 'resolved' })]),
      [reported('b')],
      true,
    ],
    [
      'a thread notified within the grace period is left alone',
      ep([mem('a')], { lastNotifiedAt: NOW - 1_000 }),
      [],
      false,
    ],
    ['a resolved thread is never closed again', ep([mem('a')], { status: 'resolved' }), [], false],
    [
      'a truncated group stays open while Alertmanager reports an alert with its labels',
      ep([mem('a')], { truncatedAlerts: 3 }),
      [reported('unknown', { alertname: 'Down', instance: 'z' })],
      false,
    ],
    [
      'a truncated group with nothing of its labels reported is closed',
      ep([mem('a')], { truncatedAlerts: 3 }),
      [reported('o', { alertname: 'Other' })],
      true,
    ],
  ];
  it.each(cases)('%s', (_name, state, am, closed) => {
    expect(threadsToClose([state], am, NOW, policy).map((s) => s.id)).toEqual(closed ? ['ep_1'] : []);
  });
});

describe('syntheticResolve', () => {
  it('resolves the thread through decide() like a real resolve would, leaving resolved alerts alone', () => {
    const state = ep([mem('a'), mem('b', { status: 'resolved', resolvedAt: 5 })]);
    const part = syntheticResolve(state, NOW);
    expect(part.notification.alerts.map((a) => [a.fingerprint, a.status])).toEqual([['a', 'resolved']]);
    const d = decide(state, part, {
      channel: 'C1',
      now: NOW,
      policy: { reopenWindowMs: 0, duplicateWindowMs: 300_000, replyOnRepeat: false },
    });
    expect(d.reason).toBe('all alerts resolved');
    expect(d.next?.status).toBe('resolved');
    expect(d.actions.map((a) => a.type)).toEqual(['reply', 'update_parent']);
  });
});

describe('confirmGone', () => {
  const MIN = 60_000;
  const a = ep([mem('a')], { id: 'ep_a' });
  const cases: Array<[string, Array<[string, number]>, number, string[], Array<[string, number]>]> = [
    [
      'a thread seen gone for the first time is not closed, only remembered',
      [],
      5 * MIN,
      [],
      [['ep_a', NOW]],
    ],
    [
      'a thread still gone more than the confirmation period after it was first seen gone is closed',
      [['ep_a', NOW - 5 * MIN - 1]],
      5 * MIN,
      ['ep_a'],
      [],
    ],
    [
      'a thread gone in two rounds only a minute apart waits for the rest of the period',
      [['ep_a', NOW - MIN]],
      5 * MIN,
      [],
      [['ep_a', NOW - MIN]],
    ],
    ['with no confirmation period a single round closes it', [], 0, ['ep_a'], []],
  ];
  it.each(cases)('%s', (_name, before, confirmMs, closed, after) => {
    const r = confirmGone([a], new Map(before), NOW, confirmMs);
    expect(r.close.map((s) => s.id)).toEqual(closed);
    expect([...r.missingSince]).toEqual(after);
  });

  it('forgets a thread that is no longer gone, so its next absence starts the period over', () => {
    expect([
      ...confirmGone([], new Map([['ep_a', NOW - 60 * 60_000]]), NOW, 5 * 60_000).missingSince,
    ]).toEqual([]);
  });
});
