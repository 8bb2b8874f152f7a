import { describe, expect, it } from 'vitest';
import { describeChart, stepPath, weightChart, weightTable } from './deploy-chart.js';
import type { WeightPoint } from './deploy-detail.js';

const t0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const canary: WeightPoint[] = [
  { at: t0, shares: { v1: 90, v2: 10 }, requestedPercent: 10 },
  { at: t0 + 60_000, shares: { v1: 50, v2: 50 }, requestedPercent: 50 },
  { at: t0 + 120_000, shares: { v2: 100 }, requestedPercent: 100 },
];

describe('stepPath', () => {
  it('holds each share until the next change, then runs to the end of the deploy', () => {
    // x from 44 to 628 over 0..240 s; y from 192 (0 %) to 12 (100 %).
    expect(stepPath(canary, 'v2', t0 + 240_000)).toBe('M44 174 H190 V102 H336 V12 H628');
    expect(stepPath(canary, 'v1', t0 + 240_000)).toBe('M44 30 H190 V102 H336 V192 H628');
  });

  it('draws nothing without points', () => {
    expect(stepPath([], 'v1', t0)).toBe('');
  });
});

describe('describeChart', () => {
  it('says in words where each version started and ended', () => {
    expect(describeChart(canary, ['v1', 'v2'])).toBe(
      'v1 from 90% to 0%, v2 from 10% to 100%, in 3 traffic changes between 12:00:00 and 12:02:00 UTC.',
    );
  });
});

describe('weightChart', () => {
  it('is an accessible image with a title, a description, one line and one legend entry per version', () => {
    const svg = weightChart(canary, ['v1', 'v2'], t0 + 240_000).value;
    expect(svg).toContain('role="img" aria-labelledby="weights-title weights-desc"');
    expect(svg).toContain('<title id="weights-title">Traffic weight per version over time</title>');
    expect(svg.match(/<path class="series series-\d"/g)).toHaveLength(2);
    expect(svg.match(/class="key"/g)).toHaveLength(2);
  });

  it('never writes an inline style (the CSP refuses them) and escapes version names', () => {
    const svg = weightChart([{ at: t0, shares: { '<b>"x"': 100 } }], ['<b>"x"'], t0).value;
    expect(svg).not.toMatch(/style=|<script|<b>/);
    expect(svg).toContain('&lt;b&gt;&quot;x&quot;');
  });

  it('says so when no traffic change was recorded', () => {
    expect(weightChart([], ['v1'], t0).value).toContain('No traffic changes were recorded');
    expect(weightTable([], ['v1']).value).toBe('');
  });
});

describe('weightTable', () => {
  it('gives the same numbers as a table, a version absent from a change at 0 %', () => {
    const html = weightTable(canary, ['v1', 'v2']).value;
    expect(html.match(/<tr>/g)).toHaveLength(4);
    expect(html).toMatch(
      /12:02:00<\/td>\s*<td data-label="v1" class="num">0%<\/td>\s*<td data-label="v2" class="num">100%/,
    );
  });
});
