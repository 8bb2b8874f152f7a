import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetricProvider } from '../metrics/types.js';
import { briefingSink, type Briefing } from './briefing.js';
import { lockGuard, type GuardContext } from './guard.js';
import { LockFile } from './lock-file.js';
import { watchGuard } from './watch.js';

describe('guard briefing', () => {
  it('briefs at the first evaluation, then every interval, and always when the lock ends', async () => {
    let t = Date.UTC(2026, 10, 26, 12, 0, 0);
    const ctx: GuardContext = {
      file: new LockFile(join(mkdtempSync(join(tmpdir(), 'brief-')), 'qos.guard')),
      now: () => t,
      actor: 'ci',
    };
    const script = [0.2, 0.2, 0.2, 0.2, 0.2, 0, 0, 0];
    const provider: MetricProvider = {
      kind: 'scripted',
      measure: async () => ({ values: [script.shift() ?? 0], query: 'q', at: t }),
    };
    await lockGuard(ctx, {
      durationMs: 1_000,
      reason: 'canary rollback',
      mode: 'slo',
      healthyEvaluations: 3,
    });
    const briefs: Array<Briefing & { at: number }> = [];
    await watchGuard({
      ctx,
      provider,
      checks: [{ name: 'http_5xx_ratio', comparator: '<=', threshold: 0.01, noData: 'fail', query: 'q' }],
      windowMs: 5_000,
      intervalMs: 1_000,
      exitWhenUnlocked: true,
      sleep: async (ms) => {
        t += ms;
      },
      onEvaluation: briefingSink({ everyMs: 3_000, post: (b) => void briefs.push({ ...b, at: t }) }),
    });
    const start = Date.UTC(2026, 10, 26, 12, 0, 0);
    expect(briefs.map((b) => [b.at - start, b.final])).toEqual([
      [0, false],
      [3_000, false],
      [6_000, false],
      [7_000, true],
    ]);
    expect(briefs[0]?.text).toMatch(/^QoS guard: LOCKED \(canary rollback\)/);
    expect(briefs[0]?.text).toContain('http_5xx_ratio: Failed — 0.2 <= 0.01 does not hold');
    expect(briefs.at(-1)?.text).toMatch(/^QoS guard released/);
  });
});
