import { describe, expect, it } from 'vitest';
import type { DigestEntry, DigestState } from '../../core/storm.js';
import { SLACK_LIMITS } from './limits.js';
import { DIGEST_TABLE_ROWS, renderDigestParent, renderDigestReply } from './storm-digest.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const state: DigestState = { channel: 'C_ALERTS', startedAt: T0, maxNewThreads: 10, windowMs: 60_000 };
const entry = (i: number, over: Partial<DigestEntry> = {}): DigestEntry => ({
  threadId: `ep_${i}`,
  title: `Group${String(i).padStart(3, '0')} — service=api-${i}, cluster=eu-west-1`,
  severity: 'critical',
  firing: 3,
  resolved: 0,
  status: 'firing',
  since: T0 + i * 1_000,
  version: 1,
  ...over,
});

const blocksOf = (m: ReturnType<typeof renderDigestParent>) => m.attachments?.[0]?.blocks ?? [];
const textOf = (m: ReturnType<typeof renderDigestParent>) => JSON.stringify(blocksOf(m));

function allTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allTexts);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === 'text' && typeof v === 'string' ? [v] : allTexts(v),
  );
}

describe('storm digest parent', () => {
  it('says the channel is in storm mode, why, and lists each group with severity, firing count and since', () => {
    const m = renderDigestParent(state, { now: T0, entries: [entry(1), entry(2, { severity: 'warning' })] });
    const text = textOf(m);
    expect(m.text).toBe('Storm digest: 2 groups collected in C_ALERTS, 2 firing');
    expect(text).toContain('Storm in <#C_ALERTS>: 2 groups collected here');
    expect(text).toContain('more than 10 new alert threads within 1m');
    expect(text).toMatch(/critical\s+3 {2}12:00 {2}Group001/);
    expect(text).toMatch(/warning\s+3 {2}12:00 {2}Group002/);
  });

  it('puts firing groups first, the most severe first', () => {
    const m = renderDigestParent(state, {
      now: T0,
      entries: [
        entry(1, { status: 'resolved', firing: 0, resolved: 3 }),
        entry(2, { severity: 'warning' }),
        entry(3),
      ],
    });
    const text = textOf(m);
    expect(text.indexOf('Group003')).toBeLessThan(text.indexOf('Group002'));
    expect(text.indexOf('Group002')).toBeLessThan(text.indexOf('Group001'));
    expect(text).toContain('2 firing · 1 resolved');
  });

  it('says the storm ended and how long it lasted', () => {
    const m = renderDigestParent({ ...state, endedAt: T0 + 5 * 60_000 }, { now: T0, entries: [entry(1)] });
    expect(textOf(m)).toContain('Storm over in <#C_ALERTS>');
    expect(textOf(m)).toContain('after 5m; new groups get their own threads again');
    expect(m.text).toMatch(/^Storm over/);
  });

  it('300 groups stay within Slack limits and say how many are not in the table', () => {
    const m = renderDigestParent(state, {
      now: T0,
      entries: Array.from({ length: 300 }, (_, i) => entry(i)),
    });
    const blocks = blocksOf(m);
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    const texts = allTexts(blocks);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(texts.reduce((n, t) => n + t.length, 0)).toBeLessThanOrEqual(SLACK_LIMITS.blocksText);
    expect(textOf(m)).toContain(`+${300 - DIGEST_TABLE_ROWS} more groups: see the thread`);
    expect(textOf(m)).not.toContain('…truncated');
    // Every section of the table is a whole code block.
    for (const t of texts.filter((x) => x.startsWith('```'))) expect(t.endsWith('```')).toBe(true);
  });

  it('label values can neither mention anyone nor end the code block', () => {
    const m = renderDigestParent(state, {
      now: T0,
      entries: [entry(1, { title: 'Evil <!channel> ```break``` <@U123>' })],
    });
    const text = textOf(m);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U123>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('```break');
  });
});

describe('storm digest reply', () => {
  it('names the group, then tells what changed with its alerts', () => {
    const m = renderDigestReply(
      {
        kind: 'digest_member',
        member: { threadId: 'ep_1', title: 'DiskFull — host=db1', severity: 'critical', commonLabels: {} },
        change: {
          kind: 'all_resolved',
          durationMs: 120_000,
          alerts: [
            {
              fingerprint: 'f',
              status: 'resolved',
              labels: { alertname: 'DiskFull', host: 'db1' },
              annotations: { summary: 'disk full' },
              startsAt: '',
              endsAt: '',
              generatorURL: '',
            },
          ],
        },
      },
      { now: T0 },
    );
    expect(m.text).toBe('✅ All resolved after 2m — DiskFull — host=db1');
    const text = JSON.stringify(m.blocks);
    expect(text).toContain('[critical] DiskFull — host=db1');
    expect(text).toContain('disk full');
  });
});
