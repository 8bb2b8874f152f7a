import { describe, it, expect } from 'vitest';
import { FakeDriver, FakeRouter, ScriptedProvider, testEnv } from '../../test/deploy/fakes.js';
import { SLI } from '../metrics/conventions.js';
import { createScrapeProvider } from '../metrics/scrape-provider.js';
import type { MetricCheck, MetricProvider } from '../metrics/types.js';
import type { ExecutorControls } from './executor-controls.js';
import { runStep, type StepContext } from './run-step.js';
import type { Step } from './types.js';

const fiveXx: MetricCheck = {
  name: 'http_5xx_ratio',
  ratio: SLI.http5xxRatio,
  comparator: '<=',
  threshold: 0.05,
  noData: 'fail',
  unit: 'ratio',
};
const analyse: Step = { kind: 'analyse', count: 2, interval: 3_000, label: 'canary at 25%' };

/** A canary step context on a fake clock: instance d runs the new version v2. */
function canaryContext(over: Partial<StepContext>) {
  let t = 0;
  const base = testEnv().analysis!;
  const controls = {
    signal: new AbortController().signal,
    // Only the analysis moves this clock; the health watch's waits (they carry its signal) last
    // until it stops, so it probes once and cannot run ahead of the analysis.
    sleep: (ms: number, signal?: AbortSignal) =>
      signal
        ? new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
        : Promise.resolve(void (t += ms)),
  } as unknown as ExecutorControls;
  const ctx: StepContext = {
    deployId: 'd-1',
    index: 6,
    env: testEnv({ analysis: { ...base, checks: [fiveXx], window: 3_000, interval: 3_000 } }),
    driver: new FakeDriver(),
    router: new FakeRouter(),
    toVersion: 'v2',
    probe: async () => 200,
    controls,
    now: () => t,
    versions: { a: 'v1', b: 'v1', c: 'v1', d: 'v2' },
    emit: async () => {},
    ...over,
  };
  return { ctx, clock: { now: () => t, advance: (ms: number) => (t += ms) } };
}

describe('runStep analyse', () => {
  it('narrows the checks to the canary by instance label when the fleet-wide provider measures it', async () => {
    const provider = new ScriptedProvider([0]);
    const { ctx } = canaryContext({ provider });
    await runStep(analyse, ctx);
    expect(provider.asked).toHaveLength(2);
    for (const check of provider.asked)
      expect(check.ratio?.denominator.match).toEqual({ instance: '127\\.0\\.0\\.1:9004' });
  });

  it('asks a provider scoped to the canary for the checks as configured: its targets are the scope', async () => {
    const fleetWide = new ScriptedProvider([0]);
    const scoped = new ScriptedProvider([0]);
    const scopes: string[][] = [];
    const { ctx } = canaryContext({
      provider: fleetWide,
      providerFor: (instances) => {
        scopes.push(instances.map((i) => i.name));
        return scoped;
      },
    });
    await runStep(analyse, ctx);
    expect(scopes).toEqual([['d']]);
    expect(fleetWide.asked).toEqual([]);
    expect(scoped.asked).toEqual([fiveXx, fiveXx]);
  });

  it('judges a good canary from its own /metrics, whose series carry no instance label', async () => {
    let served = 0;
    const fetchFn = (async () => {
      // 100 requests between scrapes, none failed; no `instance` label (Prometheus adds it when it scrapes).
      served += 100;
      return new Response(`threader_http_requests_total{route="/",method="GET",code="200"} ${served}\n`);
    }) as typeof fetch;
    let scoped: MetricProvider | undefined;
    const { ctx, clock } = canaryContext({
      providerFor: (instances) =>
        (scoped ??= createScrapeProvider({
          targets: instances.map((i) => `http://${i.host}:${i.port}/metrics`),
          fetch: fetchFn,
          now: clock.now,
          sleep: async (ms) => void clock.advance(ms),
        })),
    });
    const result = await runStep(analyse, ctx);
    expect(result.detail).toBe('analysis "canary at 25%" Successful after 2 measurement(s)');
  });
});
