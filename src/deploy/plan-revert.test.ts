import { describe, expect, it } from 'vitest';
import { planBlueGreen } from './plan-blue-green.js';
import { planCanary } from './plan-canary.js';
import { applySteps, EMPTY_FLEET, sameWeights } from './plan-common.js';
import { planRevert } from './plan-revert.js';
import { planRolling } from './plan-rolling.js';
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

  it('a first deploy that fails stops what it started and leaves nginx as empty as it was', () => {
    const env = testEnv();
    const plan = planRolling(env, EMPTY_FLEET, 'v1');
    const at = indexOf(plan, 'gate b');
    const revert = planRevert(env, plan, at, EMPTY_FLEET);
    expect(revert.map(short)).toEqual(['weights (empty)', 'drain a', 'stop a,b']);
    expectRestored(env, plan, at, EMPTY_FLEET);
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
