import { describe, expect, it } from 'vitest';
import type { Block, SlackMessage } from '../types.js';
import { fitMessage, SLACK_LIMITS, TRUNCATION_MARK, truncateText } from './limits.js';

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
const textOf = (b: Block | undefined): string => ((b?.text as { text: string }) ?? { text: '' }).text;

describe('truncateText', () => {
  it('keeps text within the limit unchanged', () => {
    expect(truncateText('short', 10)).toBe('short');
  });

  it('cuts to exactly the limit and ends with the visible mark', () => {
    const out = truncateText('x'.repeat(100), 50);
    expect(out).toHaveLength(50);
    expect(out.endsWith(TRUNCATION_MARK)).toBe(true);
  });

  it('does not cut an escaped entity in half', () => {
    const s = 'a'.repeat(17) + '&amp;' + 'b'.repeat(20);
    const out = truncateText(s, 30);
    expect(out).toBe('a'.repeat(17) + TRUNCATION_MARK);
  });

  it('does not cut one of our own links in half', () => {
    const s = 'see ' + '<https://example.com/very/long/path|runbook>' + ' and more';
    const out = truncateText(s, 30);
    expect(out).toBe('see ' + TRUNCATION_MARK);
  });

  it('does not split a surrogate pair', () => {
    const s = 'a'.repeat(8) + '🔥'.repeat(10);
    const out = truncateText(s, 20);
    expect(out.length).toBeLessThanOrEqual(20);
    expect(out.replace(TRUNCATION_MARK, '')).not.toMatch(/[\ud800-\udbff]$/);
  });
});

describe('fitMessage', () => {
  it('truncates the plain-text fallback at 40,000 characters with a visible mark', () => {
    const out = fitMessage({ text: 'y'.repeat(50_000) });
    expect(out.text).toHaveLength(SLACK_LIMITS.messageText);
    expect(out.text.endsWith(TRUNCATION_MARK)).toBe(true);
  });

  it('truncates a section text at 3,000 characters', () => {
    const out = fitMessage({ text: 't', blocks: [section('z'.repeat(5_000))] });
    expect(textOf(out.blocks?.[0])).toHaveLength(3_000);
    expect(textOf(out.blocks?.[0]).endsWith(TRUNCATION_MARK)).toBe(true);
  });

  it('truncates a header at 150 characters', () => {
    const header: Block = {
      type: 'header',
      text: { type: 'plain_text', text: 'H'.repeat(400), emoji: true },
    };
    const out = fitMessage({ text: 't', blocks: [header] });
    expect(textOf(out.blocks?.[0])).toHaveLength(150);
    expect(textOf(out.blocks?.[0]).endsWith(TRUNCATION_MARK)).toBe(true);
    expect((out.blocks?.[0]?.text as { emoji: boolean }).emoji).toBe(true);
  });

  it('caps section fields at 10, saying how many were cut, and each field at 2,000 characters', () => {
    const fields = Array.from({ length: 14 }, (_, i) => ({ type: 'mrkdwn', text: `${i}:field` }));
    const out = fitMessage({ text: 't', blocks: [{ type: 'section', fields }] });
    const got = out.blocks?.[0]?.fields as Array<{ text: string }>;
    expect(got).toHaveLength(10);
    expect(got[9]!.text).toBe(`${TRUNCATION_MARK}: 5 more fields`);
    const long = fitMessage({
      text: 't',
      blocks: [{ type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2_500) }] }],
    });
    expect((long.blocks?.[0]?.fields as Array<{ text: string }>)[0]!.text).toHaveLength(2_000);
  });

  it("keeps all block text of a message under Slack's undocumented total (msg_blocks_too_long)", () => {
    const blocks = Array.from({ length: 20 }, (_, i) => section(`${i} ${'x'.repeat(2_900)}`));
    const out = fitMessage({ text: 't', blocks });
    const text = JSON.stringify(out.blocks).length;
    expect(out.blocks!.length).toBeLessThan(20);
    expect(text).toBeLessThan(13_000);
    expect(JSON.stringify(out.blocks!.at(-1))).toMatch(/more blocks? not shown/);
  });

  it('caps context elements at 10', () => {
    const elements = Array.from({ length: 12 }, (_, i) => ({ type: 'mrkdwn', text: `e${i}` }));
    const out = fitMessage({ text: 't', blocks: [{ type: 'context', elements }] });
    const got = out.blocks?.[0]?.elements as Array<{ text: string }>;
    expect(got).toHaveLength(10);
    expect(got[9]!.text).toContain('3 more');
  });

  it('drops blocks past 50 and ends with a context block saying how many were cut', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => section(`alert ${i}`));
    const out = fitMessage({ text: 't', blocks });
    expect(out.blocks).toHaveLength(50);
    expect(textOf(out.blocks?.[48])).toBe('alert 48');
    const last = out.blocks?.[49];
    expect(last?.type).toBe('context');
    expect((last?.elements as Array<{ text: string }>)[0]!.text).toBe(
      `${TRUNCATION_MARK}: 11 more blocks not shown`,
    );
  });

  it('counts attachment blocks towards the same 50 and announces the cut inside the attachment', () => {
    const msg: SlackMessage = {
      text: 't',
      blocks: [section('top')],
      attachments: [{ color: '#E01E5A', blocks: Array.from({ length: 55 }, (_, i) => section(`a${i}`)) }],
    };
    const out = fitMessage(msg);
    const att = out.attachments?.[0]?.blocks ?? [];
    expect((out.blocks?.length ?? 0) + att.length).toBe(50);
    expect(att.at(-1)?.type).toBe('context');
    expect(out.attachments?.[0]?.color).toBe('#E01E5A');
  });

  it('keeps a message within every limit unchanged and does not mutate its input', () => {
    const msg: SlackMessage = { text: 'fine', blocks: [section('ok')] };
    const copy = structuredClone(msg);
    expect(fitMessage(msg)).toEqual(copy);
    fitMessage({ text: 'x', blocks: Array.from({ length: 70 }, () => section('q'.repeat(4_000))) });
    expect(msg).toEqual(copy);
  });

  it('keeps the other arguments of a post, such as the channel', () => {
    const out = fitMessage({ channel: 'C1', text: 'x' });
    expect(out.channel).toBe('C1');
  });
});
