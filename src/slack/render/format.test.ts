import { describe, expect, it } from 'vitest';
import { identifyingLabels, labelPairs, packLines, slackDate } from './format.js';

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
