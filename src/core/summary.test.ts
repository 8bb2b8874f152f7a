import { describe, expect, it } from 'vitest';
import {
  durationMs,
  firstFiredAt,
  episodeCounts,
  episodeSeverity,
  episodeTitle,
  toAlertSummary,
} from './summary.js';
import type { AlertMemory, AlertStatus, EpisodeState } from './types.js';

function memory(fingerprint: string, status: AlertStatus, labels: Record<string, string>): AlertMemory {
  return {
    fingerprint,
    status,
    labels,
    annotations: { summary: 'now' },
    firstAnnotations: { summary: 'first' },
    startsAt: '2026-11-26T10:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus',
    firstSeenAt: 0,
  };
}

function episode(alerts: AlertMemory[], overrides: Partial<EpisodeState> = {}): EpisodeState {
  return {
    id: 'ep_1',
    threadKey: 'group:r/k',
    seq: 1,
    channel: 'C1',
    status: 'firing',
    receiver: 'r',
    groupKey: 'k',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
    truncatedAlerts: 0,
    alerts: Object.fromEntries(alerts.map((a) => [a.fingerprint, a])),
    openedAt: 1_000,
    lastNotifiedAt: 1_000,
    notificationCount: 1,
    reopenCount: 0,
    ...overrides,
  };
}

describe('episodeCounts', () => {
  it.each([
    {
      name: 'an episode with no alerts counts nothing',
      alerts: [],
      expected: { firing: 0, resolved: 0, total: 0 },
    },
    {
      name: 'firing and resolved alerts are counted apart',
      alerts: [memory('a', 'firing', {}), memory('b', 'resolved', {}), memory('c', 'firing', {})],
      expected: { firing: 2, resolved: 1, total: 3 },
    },
  ])('$name', ({ alerts, expected }) => {
    expect(episodeCounts(episode(alerts))).toEqual(expected);
  });

  it('truncated alerts are not part of the counts', () => {
    expect(episodeCounts(episode([memory('a', 'firing', {})], { truncatedAlerts: 9 })).total).toBe(1);
  });
});

describe('episodeSeverity', () => {
  it.each([
    { name: 'no severity label is unknown', alerts: [memory('a', 'firing', {})], expected: 'unknown' },
    {
      name: 'the highest severity among firing alerts wins',
      alerts: [
        memory('a', 'firing', { severity: 'warning' }),
        memory('b', 'firing', { severity: 'critical' }),
      ],
      expected: 'critical',
    },
    {
      name: 'severity is read case-insensitively',
      alerts: [memory('a', 'firing', { severity: 'Error' }), memory('b', 'firing', { severity: 'INFO' })],
      expected: 'error',
    },
    {
      name: 'a resolved critical alert no longer sets the severity while others fire',
      alerts: [
        memory('a', 'resolved', { severity: 'critical' }),
        memory('b', 'firing', { severity: 'info' }),
      ],
      expected: 'info',
    },
    {
      name: 'a fully resolved episode keeps the highest severity it had',
      alerts: [
        memory('a', 'resolved', { severity: 'critical' }),
        memory('b', 'resolved', { severity: 'info' }),
      ],
      expected: 'critical',
    },
    {
      name: 'an unrecognised severity counts as unknown',
      alerts: [memory('a', 'firing', { severity: 'page' })],
      expected: 'unknown',
    },
  ])('$name', ({ alerts, expected }) => {
    expect(episodeSeverity(episode(alerts))).toBe(expected);
  });

  it('falls back to the common labels when no alert carries a severity', () => {
    expect(
      episodeSeverity(episode([memory('a', 'firing', {})], { commonLabels: { severity: 'warning' } })),
    ).toBe('warning');
  });
});

describe('episodeTitle', () => {
  it.each<{ name: string; alerts: AlertMemory[]; groupLabels: Record<string, string>; expected: string }>([
    {
      name: 'the alert name comes first, then the group labels that say where',
      alerts: [memory('a', 'firing', { alertname: 'HighErrorRate' })],
      groupLabels: { alertname: 'HighErrorRate', cluster: 'eu1', service: 'api' },
      expected: 'HighErrorRate — cluster=eu1, service=api',
    },
    {
      name: 'several alert names are listed in first-seen order without repeats',
      alerts: [
        memory('a', 'firing', { alertname: 'DiskFull' }),
        memory('b', 'firing', { alertname: 'HighLoad' }),
        memory('c', 'firing', { alertname: 'DiskFull' }),
      ],
      groupLabels: { cluster: 'eu1' },
      expected: 'DiskFull, HighLoad — cluster=eu1',
    },
    {
      name: 'more than three alert names are shortened with a count',
      alerts: ['A', 'B', 'C', 'D', 'E'].map((n) => memory(n, 'firing', { alertname: n })),
      groupLabels: {},
      expected: 'A, B, C +2',
    },
    {
      name: 'without alert names the group alertname is used',
      alerts: [memory('a', 'firing', {})],
      groupLabels: { alertname: 'Watchdog' },
      expected: 'Watchdog',
    },
    {
      name: 'without any name the title says Alert',
      alerts: [memory('a', 'firing', {})],
      groupLabels: { job: 'node' },
      expected: 'Alert — job=node',
    },
  ])('$name', ({ alerts, groupLabels, expected }) => {
    expect(episodeTitle(episode(alerts, { groupLabels }))).toBe(expected);
  });
});

describe('durationMs', () => {
  it.each([
    { name: 'an open episode runs until now', overrides: {}, now: 61_000, expected: 60_000 },
    {
      name: 'a resolved episode stops at its resolve',
      overrides: { resolvedAt: 31_000 },
      now: 99_000,
      expected: 30_000,
    },
    {
      name: 'a clock behind the opening never gives a negative duration',
      overrides: {},
      now: 0,
      expected: 0,
    },
  ])('$name', ({ overrides, now, expected }) => {
    expect(durationMs(episode([], overrides), now)).toBe(expected);
  });
});

describe('firstFiredAt', () => {
  const opened = Date.parse('2026-11-26T10:30:00Z');
  const at = (startsAt: string) => ({ ...memory(startsAt, 'firing', {}), startsAt });
  it.each([
    [
      'the earliest startsAt among the alerts is when the trouble began',
      [at('2026-11-26T10:05:00Z'), at('2026-11-26T10:00:00Z')],
      Date.parse('2026-11-26T10:00:00Z'),
    ],
    ['a startsAt after we opened (clock skew) never moves it later', [at('2026-11-26T11:00:00Z')], opened],
    [
      'unparsable or zero startsAt falls back to when we opened',
      [at('soon'), at('0001-01-01T00:00:00Z')],
      opened,
    ],
  ])('%s', (_name, alerts, expected) => {
    expect(firstFiredAt(episode(alerts, { openedAt: opened }))).toBe(expected);
  });

  it('durations count from the first firing', () => {
    const e = episode([at('2026-11-26T10:00:00Z')], { openedAt: opened });
    expect(durationMs(e, opened)).toBe(30 * 60_000);
  });
});

describe('toAlertSummary', () => {
  it('keeps only what a reply needs, with the latest annotations', () => {
    expect(toAlertSummary(memory('a', 'firing', { alertname: 'X' }))).toEqual({
      fingerprint: 'a',
      status: 'firing',
      labels: { alertname: 'X' },
      annotations: { summary: 'now' },
      startsAt: '2026-11-26T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus',
    });
  });
});
