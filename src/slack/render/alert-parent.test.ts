import { describe, expect, it } from 'vitest';
import type { AlertMemory, EpisodeState } from '../../core/types.js';
import type { Block, SlackMessage } from '../types.js';
import { renderAlertParent } from './alert-parent.js';
import { SLACK_LIMITS } from './limits.js';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);
const MIN = 60_000;

function alert(fp: string, over: Partial<AlertMemory> = {}): AlertMemory {
  return {
    fingerprint: fp,
    status: 'firing',
    labels: { alertname: 'HighLatency', severity: 'critical', service: 'api', instance: `web-${fp}` },
    annotations: { summary: `p99 above 2s on web-${fp}` },
    firstAnnotations: { summary: `p99 above 2s on web-${fp}` },
    startsAt: new Date(T0).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.local:9090/graph?g0.expr=latency',
    firstSeenAt: T0,
    ...over,
  };
}

function episode(alerts: AlertMemory[], over: Partial<EpisodeState> = {}): EpisodeState {
  return {
    id: 'ep-1',
    threadKey: 'team-a/{}:{alertname="HighLatency"}',
    seq: 1,
    channel: 'C1',
    status: 'firing',
    receiver: 'team-a',
    groupKey: '{}:{alertname="HighLatency"}',
    groupLabels: { alertname: 'HighLatency' },
    commonLabels: { alertname: 'HighLatency', severity: 'critical', service: 'api' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.local:9093',
    truncatedAlerts: 0,
    alerts: Object.fromEntries(alerts.map((a) => [a.fingerprint, a])),
    openedAt: T0,
    lastNotifiedAt: T0,
    notificationCount: 1,
    reopenCount: 0,
    ...over,
  };
}

/** Every string Slack will parse, in order: the fallback, block texts, fields and context elements. */
function allText(msg: SlackMessage): string {
  const out: string[] = [msg.text];
  const walk = (blocks: Block[] = []) => {
    for (const b of blocks) {
      const t = b.text as { text?: string } | undefined;
      if (t?.text) out.push(t.text);
      for (const f of (b.fields as Array<{ text: string }> | undefined) ?? []) out.push(f.text);
      for (const e of (b.elements as Array<{ text: string }> | undefined) ?? []) out.push(e.text);
    }
  };
  walk(msg.blocks);
  for (const a of msg.attachments ?? []) {
    if (a.fallback) out.push(a.fallback);
    walk(a.blocks);
  }
  return out.join('\n');
}

const blockCount = (msg: SlackMessage) =>
  (msg.blocks?.length ?? 0) + (msg.attachments ?? []).reduce((n, a) => n + (a.blocks?.length ?? 0), 0);

describe('renderAlertParent', () => {
  it('renders a firing group as header, red colour bar, counts, first-fired time, alert lines and links', () => {
    const state = episode([alert('1'), alert('2')], {
      commonAnnotations: { runbook_url: 'https://runbooks.local/latency' },
    });
    const msg = renderAlertParent(state, { now: T0 + 12 * MIN });
    expect(msg).toMatchInlineSnapshot(`
      {
        "attachments": [
          {
            "blocks": [
              {
                "fields": [
                  {
                    "text": "*Status*
      🚨 Firing for 12m",
                    "type": "mrkdwn",
                    "verbatim": true,
                  },
                  {
                    "text": "*Severity*
      critical",
                    "type": "mrkdwn",
                    "verbatim": true,
                  },
                  {
                    "text": "*Alerts*
      2 firing · 0 resolved",
                    "type": "mrkdwn",
                    "verbatim": true,
                  },
                  {
                    "text": "*First fired*
      <!date^1795683600^{date_short_pretty} {time}|2026-11-26 09:00 UTC>",
                    "type": "mrkdwn",
                    "verbatim": true,
                  },
                ],
                "type": "section",
              },
              {
                "text": {
                  "text": "🔥 \`instance=web-1\` — p99 above 2s on web-1
      🔥 \`instance=web-2\` — p99 above 2s on web-2",
                  "type": "mrkdwn",
                  "verbatim": true,
                },
                "type": "section",
              },
              {
                "elements": [
                  {
                    "text": "📖 <https://runbooks.local/latency|Runbook> · 📈 <http://prometheus.local:9090/graph?g0.expr=latency|Source> · 🔔 <http://alertmanager.local:9093/#/alerts?receiver=team-a|Alertmanager>",
                    "type": "mrkdwn",
                    "verbatim": true,
                  },
                ],
                "type": "context",
              },
            ],
            "color": "#E01E5A",
            "fallback": "🚨 FIRING [critical] HighLatency — 2 firing, 0 resolved",
          },
        ],
        "blocks": [
          {
            "text": {
              "emoji": true,
              "text": "🚨 FIRING: HighLatency",
              "type": "plain_text",
            },
            "type": "header",
          },
        ],
        "text": "🚨 FIRING [critical] HighLatency — 2 firing, 0 resolved",
      }
    `);
  });

  it('turns a resolved parent green with RESOLVED and the total duration', () => {
    const state = episode([alert('1', { status: 'resolved', resolvedAt: T0 + 42 * MIN })], {
      status: 'resolved',
      resolvedAt: T0 + 42 * MIN,
    });
    const msg = renderAlertParent(state, { now: T0 + 90 * MIN });
    expect(msg.attachments?.[0]?.color).toBe('#2EB67D');
    expect(msg.text).toContain('RESOLVED');
    expect(allText(msg)).toContain('Resolved after 42m');
    expect(((msg.blocks?.[0]?.text as { text: string }) ?? {}).text).toBe('✅ RESOLVED: HighLatency');
  });

  it.each([
    ['warning', '#ECB22E'],
    ['info', '#36C5F0'],
    ['critical', '#E01E5A'],
  ])('colours a firing %s group %s', (severity, color) => {
    const state = episode([alert('1', { labels: { alertname: 'A', severity } })], {
      commonLabels: { severity },
    });
    expect(renderAlertParent(state, { now: T0 }).attachments?.[0]?.color).toBe(color);
  });

  it('keeps the FIRST firing values when annotations change later', () => {
    const a = alert('1', {
      annotations: { summary: 'p99 now 9s' },
      firstAnnotations: { summary: 'p99 was 2.1s when it fired' },
    });
    const text = allText(renderAlertParent(episode([a]), { now: T0 }));
    expect(text).toContain('p99 was 2.1s when it fired');
    expect(text).not.toContain('p99 now 9s');
  });

  it('links to the previous thread when the group fired again', () => {
    const msg = renderAlertParent(episode([alert('1')], { seq: 2 }), {
      now: T0,
      previousPermalink: 'https://example.slack.com/archives/C1/p1700000000000100',
    });
    expect(allText(msg)).toContain(
      'Fired again — <https://example.slack.com/archives/C1/p1700000000000100|previous thread>',
    );
  });

  it('says how many alerts Alertmanager left out', () => {
    const msg = renderAlertParent(episode([alert('1')], { truncatedAlerts: 7 }), { now: T0 });
    expect(allText(msg)).toContain('+7 more alerts not shown');
    expect(allText(msg)).toContain('1 firing · 0 resolved (+7 not shown)');
  });

  it('lists firing alerts before resolved ones and counts both', () => {
    const msg = renderAlertParent(
      episode([alert('1', { status: 'resolved', resolvedAt: T0 + MIN }), alert('2')]),
      { now: T0 + 2 * MIN },
    );
    const text = allText(msg);
    expect(text).toContain('1 firing · 1 resolved');
    expect(text.indexOf('🔥 `instance=web-2`')).toBeLessThan(text.indexOf('✅ `instance=web-1`'));
  });

  it('escapes mention and link injection in labels, annotations and the alertname', () => {
    const evil = alert('1', {
      labels: { alertname: '<!channel> Down', severity: 'critical', instance: '<@U123>', team: '<#C999>' },
      firstAnnotations: {
        summary: '<!here> disk full <http://evil.example|click here>',
        description: 'also <!subteam^S1> & friends',
        runbook_url: 'javascript:alert(1)',
      },
    });
    const state = episode([evil, alert('2')], {
      groupLabels: { alertname: '<!channel> Down', env: '<!everyone>' },
      commonLabels: { severity: 'critical' },
    });
    const text = allText(renderAlertParent(state, { now: T0 }));
    for (const raw of [
      '<!channel>',
      '<!here>',
      '<@U123>',
      '<#C999>',
      '<!everyone>',
      '<!subteam',
      '<http://evil',
    ]) {
      expect(text).not.toContain(raw);
    }
    expect(text).toContain('&lt;!channel&gt; Down');
    expect(text).toContain('&lt;http://evil.example|click here&gt;');
    expect(text).not.toContain('javascript:');
  });

  it('shows 15 alerts and "+N more" for a large group, and stays within 50 blocks', () => {
    const alerts = Array.from({ length: 60 }, (_, i) => alert(String(i)));
    const msg = renderAlertParent(episode(alerts), { now: T0 });
    expect(allText(msg)).toContain('+45 more alerts');
    expect(blockCount(msg)).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  });

  it('truncates a huge alertname and description visibly instead of being rejected', () => {
    const a = alert('1', {
      labels: { alertname: 'X'.repeat(500), severity: 'warning' },
      firstAnnotations: { summary: 's', description: 'D'.repeat(10_000) },
    });
    const msg = renderAlertParent(episode([a], { groupLabels: {} }), { now: T0 });
    const header = (msg.blocks?.[0]?.text as { text: string }).text;
    expect(header.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(header.endsWith('…truncated')).toBe(true);
    expect(allText(msg)).toMatch(/D+…truncated/);
  });

  it('shows one shared description once, under the fields', () => {
    const d = { summary: 'short', description: 'The API is slow for everyone' };
    const msg = renderAlertParent(
      episode([alert('1', { firstAnnotations: d }), alert('2', { firstAnnotations: d })]),
      {
        now: T0,
      },
    );
    expect(allText(msg).split('The API is slow for everyone')).toHaveLength(2);
  });

  it('mentions reopenings within the reopen window', () => {
    const msg = renderAlertParent(episode([alert('1')], { reopenCount: 2 }), { now: T0 });
    expect(allText(msg)).toContain('Reopened 2 times within the reopen window');
  });

  it('prefers a configured Alertmanager URL over externalURL', () => {
    const msg = renderAlertParent(episode([alert('1')]), { now: T0, alertmanagerUrl: 'https://am.example/' });
    expect(allText(msg)).toContain('<https://am.example/#/alerts?receiver=team-a|Alertmanager>');
  });

  it('always sets a plain-text fallback', () => {
    const msg = renderAlertParent(episode([]), { now: T0 });
    expect(msg.text.length).toBeGreaterThan(0);
  });
});

describe('renderAlertParent with Slack buttons', () => {
  const ana = { id: 'U0ANA', name: 'ana' };
  const controlsOf = (msg: SlackMessage) => msg.blocks?.find((b) => b.type === 'actions');
  const ids = (msg: SlackMessage) =>
    ((controlsOf(msg)?.elements as Block[] | undefined) ?? []).map((e) => e.action_id);
  const withRunbook = (over: Partial<EpisodeState> = {}) =>
    episode([alert('1')], { commonAnnotations: { runbook_url: 'https://runbooks.local/latency' }, ...over });

  it('offers Ack, a 1 h / 4 h / 24 h silence and Runbook and Alertmanager links on a firing thread', () => {
    const msg = renderAlertParent(withRunbook(), { now: T0, buttonsFor: 'ep_1' });
    const elements = controlsOf(msg)?.elements as Block[];
    expect(ids(msg)).toEqual([
      'threader_ack',
      'threader_silence',
      'threader_runbook',
      'threader_alertmanager',
    ]);
    expect(elements[0]).toMatchObject({ type: 'button', value: 'ep_1' });
    expect((elements[1]?.options as Array<{ value: string }>).map((o) => o.value)).toEqual([
      '1h:ep_1',
      '4h:ep_1',
      '24h:ep_1',
    ]);
    expect(elements[2]).toMatchObject({ url: 'https://runbooks.local/latency' });
    expect(elements[3]).toMatchObject({ url: 'http://alertmanager.local:9093/#/alerts?receiver=team-a' });
    // The links are buttons now; the link line does not repeat them.
    expect(allText(msg)).not.toContain('|Runbook>');
    expect(allText(msg)).toContain('|Source>');
  });

  it('shows who acknowledged and when, and drops the Ack button', () => {
    const msg = renderAlertParent(withRunbook(), {
      now: T0 + MIN,
      buttonsFor: 'ep_1',
      interaction: { ack: { by: ana, at: T0 } },
    });
    expect(allText(msg)).toContain('Acknowledged by <@U0ANA> at <!date^');
    expect(ids(msg)).not.toContain('threader_ack');
    expect(ids(msg)).toContain('threader_silence');
  });

  it('while silenced shows the silence and offers Unsilence instead of Silence', () => {
    const silence = { id: 's-1', by: ana, at: T0, endsAt: T0 + 60 * MIN, alertmanagerUrl: 'http://am' };
    const msg = renderAlertParent(withRunbook(), {
      now: T0 + MIN,
      buttonsFor: 'ep_1',
      interaction: { silence },
    });
    expect(allText(msg)).toContain('Silenced by <@U0ANA> until <!date^');
    expect(allText(msg)).toContain('`s-1`');
    expect(ids(msg)).toEqual([
      'threader_ack',
      'threader_unsilence',
      'threader_runbook',
      'threader_alertmanager',
    ]);
    const later = renderAlertParent(withRunbook(), {
      now: T0 + 61 * MIN,
      buttonsFor: 'ep_1',
      interaction: { silence },
    });
    expect(allText(later)).toContain('has ended');
    expect(ids(later)).toContain('threader_silence');
  });

  it('says who expired the silence', () => {
    const msg = renderAlertParent(withRunbook(), {
      now: T0 + 2 * MIN,
      buttonsFor: 'ep_1',
      interaction: { unsilenced: { id: 's-1', by: ana, at: T0 + MIN } },
    });
    expect(allText(msg)).toContain('Silence `s-1` expired by <@U0ANA>');
  });

  it('keeps only the links on a resolved thread, and says when the reconciler closed it', () => {
    const state = withRunbook({ status: 'resolved', resolvedAt: T0 + MIN });
    const msg = renderAlertParent(state, {
      now: T0 + MIN,
      buttonsFor: 'ep_1',
      interaction: { reconciledAt: T0 + MIN },
    });
    expect(ids(msg)).toEqual(['threader_runbook', 'threader_alertmanager']);
    expect(allText(msg)).toContain('Resolved (reconciled: Alertmanager no longer reports these alerts)');
  });

  it('never turns a forged user name into a mention', () => {
    const msg = renderAlertParent(withRunbook(), {
      now: T0,
      buttonsFor: 'ep_1',
      interaction: { ack: { by: { id: '<!channel>', name: '<!here>' }, at: T0 } },
    });
    expect(allText(msg)).toContain('Acknowledged by &lt;!here&gt;');
    expect(allText(msg)).not.toContain('<!here>');
  });

  it('keeps the buttons within Slack limits on a large group', () => {
    const alerts = Array.from({ length: 60 }, (_, i) => alert(String(i)));
    const msg = renderAlertParent(episode(alerts), { now: T0, buttonsFor: 'ep_1' });
    expect(blockCount(msg)).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(ids(msg)).toContain('threader_ack');
  });

  it('renders no buttons unless asked to', () => {
    expect(controlsOf(renderAlertParent(withRunbook(), { now: T0 }))).toBeUndefined();
  });
});
