import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fleetOn, testEnv } from './plan-fixtures.test-suite.js';
import { formatPlan, surgeTableMarkdown } from './plan-format.js';
import { planCanary } from './plan-canary.js';
import { planRolling } from './plan-rolling.js';

describe('plan text', () => {
  it('the surge table in docs/deploy.md is the one the code computes', () => {
    const doc = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    const between = /<!-- surge-table:start[^>]*-->\n([\s\S]*?)\n<!-- surge-table:end -->/.exec(doc);
    expect(between?.[1]).toBe(surgeTableMarkdown());
  });

  it('a canary plan shows numbered steps, the weight table with effective shares and the gates', () => {
    const analysis = { provider: { type: 'prometheus', url: 'http://127.0.0.1:9090' }, slos: {} };
    const env = testEnv(
      { analysis, strategy: { canary: { tags: ['canary'], steps: [{ setWeight: 10 }, { analysis: {} }] } } },
      3,
    );
    const text = formatPlan(planCanary(env, fleetOn('v1', ['a', 'b', 'c']), 'v2'), env);
    expect(text).toContain('Plan: canary deploy of v2 to staging (now: v1)');
    expect(text).toMatch(/ 6\. set-weight {3}a=2 b=9 c=9 → canary 10% requested, 10% effective/);
    expect(text).toMatch(/step +requested +effective +a +b +c\n +6 +10% +10% +2 +9 +9/);
    expect(text).toContain('Gates: 3 health gate(s), 1 analysis gate(s), 0 approval(s)');
    expect(text).toContain('http_5xx_ratio <= 0.01 (no data: fail)');
  });

  it('a rolling plan shows its batches and the durations', () => {
    const env = testEnv();
    const text = formatPlan(planRolling(env, fleetOn('v1', ['a', 'b', 'c', 'd']), 'v2'), env);
    expect(text).toContain('Batches (maxSurge 1, maxUnavailable 1 of 4): [a] [b] [c] [d]');
    expect(text).toContain('mandated waits 28s · worst case 3m');
  });

  it('a plan with nothing to do says so in one line', () => {
    const env = testEnv();
    expect(formatPlan(planRolling(env, fleetOn('v2', ['a', 'b', 'c', 'd']), 'v2'), env)).toContain(
      'No changes',
    );
  });
});
