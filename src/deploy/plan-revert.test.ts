import { describe, expect, it } from 'vitest';
import { planBlueGreen } from './plan-blue-green.js';
import { planCanary } from './plan-canary.js';
import { applySteps, EMPTY_FLEET, sameWeights } from './plan-common.js';
import { planRevert } from './plan-revert.js';
import { planRolling } from './plan-rolling.js';
import { resolveSurge } from './surge.js';
import { colouredInstances, fleetOn, short, testEnv } from './plan-fixtures.test-suite.js';
import type { EnvironmentSpec, FleetState, Plan } from './types.js';

const analysis = {
  provider: { type: 'prometheus', url: 'http://127.0.0.1:9090' },
  slos: {},
  interval: '2s',
  count: 3,
};
const four = ['a', 'b', 'c', 'd'];
const indexOf = (plan: Plan, line: string) => plan.steps.map(short).indexOf(line);

const names = (n: number) => Array.from({ length: n }, (_, k) => String.fromCharCode(97 + k));

function planForStrategy(env: EnvironmentSpec, fleet: FleetState): Plan {
  if (env.strategy.default === 'canary') return planCanary(env, fleet, 'v2');
  if (env.strategy.default === 'blue-green') return planBlueGreen(env, fleet, 'v2');
  return planRolling(env, fleet, 'v2');
}

/**
 * Walks the revert of every failure point: after each traffic change at least N − maxUnavailable
 * instances serve (maxUnavailable as a batch takes it: at least 1), and nothing is stopped while
 * nginx still sends it traffic. Then the fleet is as it was.
 */
function expectCapacityKept(env: EnvironmentSpec, plan: Plan, before: FleetState) {
  const n = env.instances.length;
  const r = resolveSurge(n, env.strategy.rolling.maxSurge, env.strategy.rolling.maxUnavailable);
  const floor = n - Math.max(1, r.unavailable);
  for (let at = 0; at < plan.steps.length; at++) {
    let fleet = applySteps(before, plan.steps.slice(0, at + 1));
    for (const step of planRevert(env, plan, at, before)) {
      if (step.kind === 'stop')
        for (const i of step.instances)
          expect((fleet.weights[i] ?? 0) > 0, `N=${n} fail@${at}: stop ${i} while serving`).toBe(false);
      fleet = applySteps(fleet, [step]);
      const serving = Object.keys(fleet.weights).filter((k) => (fleet.weights[k] ?? 0) > 0);
      if (step.kind === 'set-weight') {
        expect(serving.length, `N=${n} fail@${at}: ${short(step)}`).toBeGreaterThanOrEqual(floor);
        for (const i of serving)
          expect(fleet.versions[i], `N=${n}: ${i} serves but is stopped`).toBeDefined();
      }
    }
    expectRestored(env, plan, at, before);
  }
}

/** The revert must leave the fleet as it was: same versions, same nginx weights. */
function expectRestored(env: EnvironmentSpec, plan: Plan, failedAt: number, before: FleetState) {
  const revert = planRevert(env, plan, failedAt, before);
  const after = applySteps(applySteps(before, plan.steps.slice(0, failedAt + 1)), revert);
  expect(after.versions).toEqual(before.versions);
  expect(sameWeights(after.weights, before.weights)).toBe(true);
  return after;
}

describe('reverting a failed deploy', () => {
  it('a canary failing its analysis sends all traffic to stable first, then puts the canary back on the old version', () => {
    const env = testEnv({
      analysis,
      strategy: { canary: { tags: ['canary'], steps: [{ setWeight: 10 }, { analysis: {} }] } },
    });
    const before = fleetOn('v1', four);
    const plan = planCanary(env, before, 'v2');
    const at = indexOf(plan, 'analyse canary at 10% 3x2s');
    const revert = planRevert(env, plan, at, before);
    expect(revert.map(short)).toEqual([
      'weights b=1 c=1 d=1',
      'drain a',
      'stop a',
      'start a@v1',
      'gate a',
      'weights a=1 b=1 c=1 d=1',
    ]);
    expectRestored(env, plan, at, before);
  });

  it('a blue-green deploy failing after the switch switches straight back to the old colour, drains the new one and stops it', () => {
    const env = testEnv({
      instances: colouredInstances(),
      analysis,
      strategy: { blueGreen: { postPromotionAnalysis: true, drainDelay: '3s' } },
    });
    const before = fleetOn('v1', ['blue1', 'blue2'], { activeColour: 'blue' });
    const plan = planBlueGreen(env, before, 'v2');
    const at = indexOf(plan, 'analyse post-promotion (green) 3x2s');
    const revert = planRevert(env, plan, at, before);
    expect(revert.map(short)).toEqual([
      'switch blue: blue1=1 blue2=1',
      'drain green1,green2',
      'stop green1,green2',
    ]);
    expect(revert[1]).toMatchObject({ kind: 'drain', delay: 3_000 });
    expect(applySteps(applySteps(before, plan.steps.slice(0, at + 1)), revert).activeColour).toBe('blue');
    expectRestored(env, plan, at, before);
  });

  it('a blue-green deploy failing its health gate only stops the new colour: traffic never moved', () => {
    const env = testEnv({ instances: colouredInstances() });
    const before = fleetOn('v1', ['blue1', 'blue2'], { activeColour: 'blue' });
    const plan = planBlueGreen(env, before, 'v2');
    expect(planRevert(env, plan, indexOf(plan, 'gate green1,green2'), before).map(short)).toEqual([
      'stop green1,green2',
    ]);
  });

  it('a rolling deploy failing in batch 3 rolls its changed instances back without pulling the healthy ones out at once', () => {
    const env = testEnv();
    const before = fleetOn('v1', four);
    const plan = planRolling(env, before, 'v2');
    const at = indexOf(plan, 'gate c');
    const revert = planRevert(env, plan, at, before);
    expect(revert.map(short)).toEqual([
      'stop c',
      'start c@v1',
      'gate c',
      'weights a=1 b=1 c=1 d=1',
      'weights b=1 c=1 d=1',
      'drain a',
      'stop a',
      'start a@v1',
      'gate a',
      'weights a=1 c=1 d=1',
      'drain b',
      'stop b',
      'start b@v1',
      'gate b',
      'weights a=1 b=1 c=1 d=1',
    ]);
    expectRestored(env, plan, at, before);
  });

  it('a first deploy that fails stops what it started and leaves the upstream alone, as nginx refuses one without servers', () => {
    const env = testEnv();
    const plan = planRolling(env, EMPTY_FLEET, 'v1');
    const at = indexOf(plan, 'gate b');
    const revert = planRevert(env, plan, at, EMPTY_FLEET);
    expect(revert.map(short)).toEqual(['stop a,b']);
    const after = applySteps(applySteps(EMPTY_FLEET, plan.steps.slice(0, at + 1)), revert);
    expect(after.versions).toEqual({});
  });

  it('no failure point of any first deploy asks nginx for an empty upstream', () => {
    const envs = [
      testEnv(),
      testEnv({ instances: colouredInstances() }),
      testEnv({ strategy: { default: 'canary', canary: { tags: ['canary'] } } }),
    ];
    for (const env of envs) {
      const plan = planForStrategy(env, EMPTY_FLEET);
      for (let at = 0; at < plan.steps.length; at++)
        for (const step of planRevert(env, plan, at, EMPTY_FLEET))
          if (step.kind === 'set-weight' || step.kind === 'switch')
            expect(Object.values(step.weights).some((w) => w > 0)).toBe(true);
    }
  });

  it('a canary failing during its promotion rolls the promoted instances back in batches: never fewer than N - maxUnavailable serve, never a stopped one', () => {
    for (let n = 2; n <= 10; n++) {
      const env = testEnv(
        {
          analysis,
          strategy: { canary: { tags: ['canary'], steps: [{ setWeight: 10 }, { analysis: {} }] } },
        },
        n,
      );
      expectCapacityKept(env, planCanary(env, fleetOn('v1', names(n)), 'v2'), fleetOn('v1', names(n)));
    }
  });

  it('a rolling deploy failing anywhere keeps N - maxUnavailable serving while it reverts, for N = 2..10', () => {
    for (let n = 2; n <= 10; n++) {
      const env = testEnv({}, n);
      expectCapacityKept(env, planRolling(env, fleetOn('v1', names(n)), 'v2'), fleetOn('v1', names(n)));
    }
  });

  it("the review's case: 10 instances, 1 canary, the health gate of promotion batch [i, j] fails — no single instance is left with all the traffic", () => {
    const env = testEnv(
      { analysis, strategy: { canary: { tags: ['canary'], steps: [{ setWeight: 10 }, { analysis: {} }] } } },
      10,
    );
    const before = fleetOn('v1', names(10));
    const plan = planCanary(env, before, 'v2');
    const at = indexOf(plan, 'gate h,i');
    expect(at).toBeGreaterThan(0);
    const revert = planRevert(env, plan, at, before);
    expect(revert.map(short).slice(0, 7)).toEqual([
      'stop h,i',
      'start h,i@v1',
      'gate h,i',
      'weights a=1 b=1 c=1 d=1 e=1 f=1 g=1 h=1 i=1 j=1',
      'weights c=1 d=1 e=1 f=1 g=1 h=1 i=1 j=1',
      'drain a,b',
      'stop a,b',
    ]);
    expectRestored(env, plan, at, before);
  });

  it('a failure at the approval step has nothing to undo', () => {
    const env = testEnv({}, 4, 'production');
    const before = fleetOn('v1', four);
    expect(planRevert(env, planRolling(env, before, 'v2'), 0, before)).toEqual([]);
  });

  it('every failure point of every strategy reverts to the fleet before', () => {
    const envs = [
      testEnv({
        analysis,
        strategy: {
          canary: { tags: ['canary'], steps: [{ setWeight: 10 }, { analysis: {} }, { setWeight: 60 }] },
        },
      }),
      testEnv({ strategy: { rolling: { maxUnavailable: 2 } } }),
      testEnv({
        instances: colouredInstances(),
        analysis,
        strategy: { blueGreen: { prePromotionAnalysis: true, postPromotionAnalysis: true } },
      }),
    ];
    const plans = [
      (e: EnvironmentSpec, f: FleetState) => planCanary(e, f, 'v2'),
      (e: EnvironmentSpec, f: FleetState) => planRolling(e, f, 'v2'),
      (e: EnvironmentSpec, f: FleetState) => planBlueGreen(e, f, 'v2'),
    ];
    const fleets = [
      fleetOn('v1', four),
      fleetOn('v1', four),
      fleetOn('v1', ['blue1', 'blue2'], { activeColour: 'blue' as const }),
    ];
    envs.forEach((env, n) => {
      const plan = plans[n]!(env, fleets[n]!);
      for (let at = 0; at < plan.steps.length; at++) expectRestored(env, plan, at, fleets[n]!);
    });
  });
});
