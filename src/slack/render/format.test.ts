import { describe, expect, it } from 'vitest';
import { formatDuration, identifyingLabels, labelPairs, packLines, slackDate } from './format.js';

describe('formatDuration', () => {
  it.each([
    ['under a minute shows seconds', 45_000, '45s'],
    ['minutes drop the seconds', 12 * 60_000 + 59_000, '12m'],
    ['whole hours drop zero minutes', 3 * 3_600_000, '3h'],
    ['hours keep the minutes', 3_600_000 + 5 * 60_000, '1h 5m'],
    ['days keep the hours', 2 * 86_400_000 + 3 * 3_600_000, '2d 3h'],
    ['a negative span reads as zero', -5, '0s'],
  ])('%s', (_name, ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('slackDate', () => {
  it('renders a Slack date token with a UTC fallback', () => {
    expect(slackDate(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe(
      '<!date^1767323045^{date_short_pretty} {time}|2026-01-02 03:04 UTC>',
    );
  });
});

describe('labelPairs', () => {
  it('keeps only labels that differ from the common ones', () => {
    expect(identifyingLabels({ a: '1', b: '2', c: '3' }, { a: '1', b: 'x' })).toEqual([
      ['b', '2'],
      ['c', '3'],
    ]);
  });

  it('cannot break out of its code span with a backtick', () => {
    expect(labelPairs([['job', 'a`<!here>`b']])).toBe('`job=aˋ&lt;!here&gt;ˋb`');
  });
});

describe('packLines', () => {
  it('packs short lines into one section', () => {
    expect(packLines(['a', 'b'])).toHaveLength(1);
  });

  it('starts a new section before one would exceed 3,000 characters', () => {
    const blocks = packLines(Array.from({ length: 10 }, () => 'x'.repeat(700)));
    expect(blocks).toHaveLength(3);
    for (const b of blocks) expect((b.text as { text: string }).text.length).toBeLessThanOrEqual(3_000);
  });
});
