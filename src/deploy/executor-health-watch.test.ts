import { describe, expect, it } from 'vitest';
import { ScriptedProvider } from '../../test/deploy/fakes.js';
import { canarySteps, setup } from './executor-fixtures.test-suite.js';
import { LeaseLostError } from './executor-lease.js';
import { takeOver } from './executor-start.js';

/** The canary (d, port 9004) is analysed at step 5: 3 measurements 2 s apart; probes 1 s apart. */
const CANARY = 'http://127.0.0.1:9004/healthz';
const ANALYSE = 5;

/** The executor's fixtures, with every probe and the analysis step's start and end timed. */
function timed(opts: Parameters<typeof setup>[1] = {}) {
  const t = setup(canarySteps, opts);
  const probeOf = t.deps.probe!;
  const probes: Array<{ url: string; at: number }> = [];
  t.deps.probe = (url, timeout, signal) => {
    probes.push({ url, at: t.clock.now() });
    return probeOf(url, timeout, signal);
  };
  const analysis: { started?: number; ended?: number } = {};
  t.executor.onEvent((e) => {
    if (e.type === 'step-started' && e.index === ANALYSE) analysis.started = t.clock.now();
    if (e.type === 'step-finished' && e.index === ANALYSE) analysis.ended = t.clock.now();
    if (e.type === 'deploy-failed' && e.failure.step === ANALYSE) analysis.ended = t.clock.now();
  });
  const canaryProbes = (from = -Infinity, to = Infinity) =>
    probes.filter((p) => p.url === CANARY && p.at >= from && p.at <= to).map((p) => p.at);
  return { ...t, probes, analysis, canaryProbes };
}

describe('the deployer as the health checker during an analysis', () => {
  it("probes the canary's health path every interval while its analysis runs, and not after it", async () => {
    const t = timed();
    const done = await t.run();
    expect(done.status).toBe('succeeded');
    const { started, ended } = t.analysis as { started: number; ended: number };
    expect(ended - started).toBe(6_000);
    // At `started` the health gate's last probe and the watch's first coincide (no step between
    // them takes time on this clock); at `ended` the watch stops as the analysis ends.
    const inside = t.canaryProbes(started + 1, ended - 1);
    expect(inside.map((at) => at - started)).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
    // Only the analysed instance: the stable ones carry no new version and are not probed.
    expect(t.probes.filter((p) => p.at >= started && p.url !== CANARY)).toEqual([]);
    const sent = t.probes.length;
    await t.clock.advance(60_000);
    expect(t.probes.length).toBe(sent);
  });

  it('stops probing when the analysis fails: the revert and everything after it send no watch probe', async () => {
    const t = timed({ provider: new ScriptedProvider([0.2]) });
    const done = await t.run();
    expect(done.status).toBe('rolled-back');
    const { started, ended } = t.analysis as { started: number; ended: number };
    expect(t.canaryProbes(started, ended).length).toBeGreaterThan(1);
    // The revert starts d on v1 at once and health-gates it: 2 successes 1 s apart, the first at
    // `ended`. Nothing else probes d afterwards (a watch left running would, every second).
    expect(t.canaryProbes(ended + 1)).toEqual([ended + 1_000]);
    const sent = t.probes.length;
    await t.clock.advance(60_000);
    expect(t.probes.length).toBe(sent);
  });

  it('stops probing when the deploy is aborted mid-analysis', async () => {
    const t = timed();
    t.deps.planRevert = () => [];
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    while (t.analysis.started === undefined) await t.clock.advance(250);
    await t.clock.advance(2_500);
    await t.store.requestControl('d-1', { action: 'abort', by: 'carol', reason: 'wrong build' });
    const done = await t.drive(running);
    expect(done.status).toBe('aborted');
    const abortedAt = t.clock.now();
    expect(t.canaryProbes(t.analysis.started).length).toBeGreaterThanOrEqual(3);
    await t.clock.advance(60_000);
    expect(t.canaryProbes(abortedAt + 1)).toEqual([]);
  });

  it('stops probing when another executor takes the deploy over mid-analysis', async () => {
    const t = timed();
    await t.store.create(t.record);
    let failure: unknown;
    const running = t.executor.run('d-1').catch((e: unknown) => (failure = e));
    while (t.analysis.started === undefined) await t.clock.advance(250);
    await t.clock.advance(1_500);
    await takeOver(
      'd-1',
      { store: t.store, guard: t.deps.guard, now: () => t.clock.now() + 60_000, host: 'ci-2', pid: 7 },
      '/etc/threader/deploy.yaml',
    );
    // The next heartbeat (2 s) finds the lease taken.
    await t.clock.advance(2_000);
    await running;
    expect(failure).toBeInstanceOf(LeaseLostError);
    const lostAt = t.clock.now();
    await t.clock.advance(60_000);
    expect(t.canaryProbes(lostAt + 1)).toEqual([]);
    expect(t.clock.pendingTimers()).toBe(0);
  });
});
