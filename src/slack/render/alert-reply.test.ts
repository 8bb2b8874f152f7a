import { describe, expect, it } from 'vitest';
import type { AlertSummary, EpisodeState, ReplyChange } from '../../core/types.js';
import type { SlackMessage } from '../types.js';
import { renderAlertReply } from './alert-reply.js';
import { SLACK_LIMITS } from './limits.js';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

function summary(instance: string, over: Partial<AlertSummary> = {}): AlertSummary {
  return {
    fingerprint: instance,
    status: 'firing',
    labels: { alertname: 'DiskFull', severity: 'warning', cluster: 'eu1', instance },
    annotations: { summary: `disk 95% on ${instance}` },
    startsAt: new Date(T0).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: '',
    ...over,
  };
}

const state: EpisodeState = {
  id: 'ep-1',
  threadKey: 'k',
  seq: 1,
  channel: 'C1',
  status: 'firing',
  receiver: 'ops',
  groupKey: 'g',
  groupLabels: { alertname: 'DiskFull' },
  commonLabels: { alertname: 'DiskFull', severity: 'warning', cluster: 'eu1' },
  commonAnnotations: {},
  externalURL: '',
  truncatedAlerts: 0,
  alerts: {},
  openedAt: T0,
  lastNotifiedAt: T0,
  notificationCount: 3,
  reopenCount: 0,
};

const render = (change: ReplyChange): SlackMessage => renderAlertReply(change, state, { now: T0 });
const body = (msg: SlackMessage) =>
  (msg.blocks ?? []).map((b) => (b.text as { text: string }).text).join('\n');

describe('renderAlertReply', () => {
  it.each<[string, ReplyChange, string]>([
    [
      'new alerts firing are listed with their identifying labels and summary',
      { kind: 'firing', alerts: [summary('db-1'), summary('db-2')] },
      '🔥 2 new alerts firing:\n🔥 `instance=db-1` — disk 95% on db-1\n🔥 `instance=db-2` — disk 95% on db-2',
    ],
    [
      'a single new alert reads in the singular',
      { kind: 'firing', alerts: [summary('db-3')] },
      '🔥 1 new alert firing:\n🔥 `instance=db-3` — disk 95% on db-3',
    ],
    [
      'some resolved says how many still fire',
      { kind: 'resolved', alerts: [summary('db-1', { status: 'resolved' })], stillFiring: 3 },
      '✅ 1 resolved (3 still firing):\n✅ `instance=db-1` — disk 95% on db-1',
    ],
    [
      'all resolved gives the total duration',
      { kind: 'all_resolved', alerts: [summary('db-2', { status: 'resolved' })], durationMs: 12 * 60_000 },
      '✅ All resolved after 12m:\n✅ `instance=db-2` — disk 95% on db-2',
    ],
    ['a repeat says what is still firing', { kind: 'still_firing', firing: 3 }, '⏳ Still firing (3)'],
    [
      'a reopening inside the window is numbered',
      { kind: 'reopened', alerts: [summary('db-1')], reopenCount: 2 },
      '♻️ Fired again within the reopen window (#2):\n🔥 `instance=db-1` — disk 95% on db-1',
    ],
  ])('%s', (_name, change, expected) => {
    expect(body(render(change))).toBe(expected);
  });

  it('sets a plain-text fallback with the headline and the group title', () => {
    expect(render({ kind: 'still_firing', firing: 3 }).text).toBe('⏳ Still firing (3) — DiskFull');
  });

  it('shows labels that differ from the common ones even when the key is shared', () => {
    const moved = summary('db-1', {
      labels: { alertname: 'DiskFull', severity: 'critical', cluster: 'eu1', instance: 'db-1' },
    });
    expect(body(render({ kind: 'firing', alerts: [moved] }))).toContain(
      '`severity=critical` `instance=db-1`',
    );
  });

  it('falls back to the alertname when an alert has neither identifying labels nor a summary', () => {
    const bare = summary('x', { labels: { ...state.commonLabels }, annotations: {} });
    expect(body(render({ kind: 'firing', alerts: [bare] }))).toBe('🔥 1 new alert firing:\n🔥 DiskFull');
  });

  it('escapes mention and link injection in labels and annotations', () => {
    const evil = summary('<!channel>', {
      labels: { alertname: 'DiskFull', instance: '<@U1>', owner: '<!here>' },
      annotations: { summary: 'call <!subteam^S1> or <https://evil.example|the docs> & `rm`' },
    });
    const msg = render({ kind: 'firing', alerts: [evil] });
    const text = body(msg) + msg.text;
    for (const raw of ['<!channel>', '<@U1>', '<!here>', '<!subteam', '<https://evil'])
      expect(text).not.toContain(raw);
    expect(body(msg)).toContain('&lt;https://evil.example|the docs&gt; &amp;');
  });

  it('marks every text object verbatim so Slack does not auto-link or auto-mention user text', () => {
    const msg = render({ kind: 'firing', alerts: [summary('db-1')] });
    expect(msg.blocks?.every((b) => (b.text as { verbatim?: boolean }).verbatim === true)).toBe(true);
  });

  it('lists 20 of 60 new alerts, counts the rest, and stays within Slack limits', () => {
    const alerts = Array.from({ length: 60 }, (_, i) =>
      summary(`n${i}`, { annotations: { summary: 'w'.repeat(400) } }),
    );
    const msg = render({ kind: 'firing', alerts });
    const text = body(msg);
    expect(text).toContain('`instance=n19`');
    expect(text).not.toContain('`instance=n20`');
    expect(text).toContain('+40 more alerts');
    expect(msg.blocks!.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    for (const b of msg.blocks!) expect((b.text as { text: string }).text.length).toBeLessThanOrEqual(3_000);
  });
});
