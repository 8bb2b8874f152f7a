import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeEach } from 'vitest';
import { MetricProviderError } from '../errors.js';
import type { MetricCheck, MetricProvider } from '../metrics/types.js';
import { lockGuard, guardStatus, type GuardContext } from './guard.js';
import { LockFile } from './lock-file.js';
import { watchGuard, type WatchReport } from './watch.js';

const SEC = 1_000;
const check: MetricCheck = {
  name: 'http_5xx_ratio',
  comparator: '<=',
  threshold: 0.01,
  noData: 'fail',
  query: 'q',
};

let t: number;
let ctx: GuardContext;

beforeEach(() => {
  t = Date.UTC(2026, 10, 26, 12, 0, 0);
  ctx = {
    file: new LockFile(join(mkdtempSync(join(tmpdir(), 'watch-')), 'qos.guard')),
    now: () => t,
    actor: 'ci',
  };
});

/** A provider that answers from a script, one entry per evaluation: a value, 'empty' or 'down'. */
function scripted(...script: Array<number | 'empty' | 'down'>): MetricProvider {
  return {
    kind: 'scripted',
    measure: async () => {
      const next = script.length > 1 ? script.shift() : script[0];
      if (next === 'down') throw new MetricProviderError('cannot reach Prometheus (ECONNREFUSED)');
      return { values: next === 'empty' ? [] : [next as number], query: 'q', at: t };
    },
  };
}

async function watch(provider: MetricProvider, maxTicks: number) {
  const reports: WatchReport[] = [];
  const stop = new AbortController();
  await watchGuard({
    ctx,
    provider,
    checks: [check],
    windowMs: 5 * SEC,
    intervalMs: SEC,
    exitWhenUnlocked: true,
    signal: stop.signal,
    sleep: async (ms) => {
      t += ms;
      if (reports.length >= maxTicks) stop.abort();
    },
    onEvaluation: (r) => {
      reports.push(r);
    },
  });
  return reports;
}

describe('guard watch', () => {
  it('stays locked while the service is bad and releases after K healthy evaluations once it recovers', async () => {
    await lockGuard(ctx, { durationMs: 2 * SEC, reason: 'rollback', mode: 'slo', healthyEvaluations: 3 });
    const reports = await watch(scripted(0.5, 0.5, 0.5, 0.5, 0, 0, 0), 20);
    expect(reports.map((r) => r.evaluation?.healthy)).toEqual([false, false, false, false, true, true, true]);
    expect(reports.map((r) => r.released)).toEqual([false, false, false, false, false, false, true]);
    expect(reports[0]?.evaluation?.results[0]?.message).toBe('0.5 <= 0.01 does not hold');
    expect(await guardStatus(ctx)).toEqual({ locked: false });
  });

  it.each<[string, Array<number | 'empty' | 'down'>]>([
    ['stays locked while Prometheus is down', ['down']],
    ['stays locked while the series is empty', ['empty']],
    ['needs K healthy evaluations in a row, not in total', [0, 0, 'down', 0, 0, 'empty']],
  ])('%s', async (_name, script) => {
    await lockGuard(ctx, { durationMs: SEC, reason: 'rollback', mode: 'slo', healthyEvaluations: 3 });
    const reports = await watch(scripted(...script), 8);
    expect(reports).toHaveLength(8);
    expect(reports.every((r) => r.status.locked)).toBe(true);
    expect((await guardStatus(ctx)).locked).toBe(true);
  });

  it('reports each SLO’s outcome to the briefing sink, including errors', async () => {
    await lockGuard(ctx, { durationMs: SEC, reason: 'rollback', mode: 'slo', healthyEvaluations: 3 });
    const [first] = await watch(scripted('down'), 1);
    expect(first?.evaluation?.results[0]).toMatchObject({
      outcome: 'Error',
      message: 'provider error: cannot reach Prometheus (ECONNREFUSED)',
    });
  });

  it('lets a time lock expire without evaluating anything', async () => {
    let asked = 0;
    const provider: MetricProvider = {
      kind: 'x',
      measure: async () => (asked++, { values: [0], query: 'q', at: t }),
    };
    await lockGuard(ctx, {
      durationMs: 3 * SEC,
      reason: 'deploy freeze',
      mode: 'time',
      healthyEvaluations: 3,
    });
    const reports = await watch(provider, 10);
    expect(asked).toBe(0);
    expect(reports.at(-1)).toMatchObject({ expired: true, status: { locked: false } });
  });

  it('returns at once when the guard is not locked', async () => {
    expect(await watch(scripted(0), 5)).toEqual([]);
  });
});
