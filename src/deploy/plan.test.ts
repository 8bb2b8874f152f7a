import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { fleetStateFrom } from './fleet-state.js';
import { EMPTY_FLEET } from './plan-common.js';
import { planDeploy, planRollback } from './plan.js';
import { colouredInstances, fleetOn, short, testEnv } from './plan-fixtures.test-suite.js';
import type { DeployRecord, Plan } from './types.js';

const analysis = {
  provider: { type: 'prometheus', url: 'http://127.0.0.1:9090' },
  slos: {},
  interval: '2s',
  count: 3,
};
const four = ['a', 'b', 'c', 'd'];

function record(plan: Plan, over: Partial<DeployRecord> = {}): DeployRecord {
  return {
    id: 'd1',
    env: plan.env,
    service: 'svc',
    strategy: plan.strategy,
    fromVersion: plan.fromVersion,
    toVersion: plan.toVersion,
    by: 'ci',
    status: 'succeeded',
    plan,
    stepIndex: plan.steps.length,
    createdAt: 0,
    updatedAt: 0,
    finishedAt: 0,
    ...over,
  };
}

describe('choosing a plan', () => {
  it('the environment default strategy is used unless the caller names one', () => {
    const env = testEnv({ analysis, strategy: { default: 'canary', canary: { tags: ['canary'] } } });
    expect(planDeploy(env, fleetOn('v1', four), 'v2').strategy).toBe('canary');
    expect(planDeploy(env, fleetOn('v1', four), 'v2', { strategy: 'rolling' }).strategy).toBe('rolling');
  });

  it('a rollback of a canary fleet is a rolling update without analyses, pauses or approval', () => {
    const env = testEnv(
      { analysis, strategy: { default: 'canary', canary: { tags: ['canary'] } } },
      4,
      'production',
    );
    const plan = planRollback(env, fleetOn('v2', four), 'v1');
    expect(plan.strategy).toBe('rolling');
    expect(plan.steps.some((s) => ['analyse', 'pause', 'approve'].includes(s.kind))).toBe(false);
    expect(plan.expectedFleet).toEqual(fleetOn('v1', four));
  });

  it('a rollback of a blue-green fleet switches colours without the post-promotion analysis', () => {
    const env = testEnv({
      instances: colouredInstances(1),
      analysis,
      strategy: { blueGreen: { postPromotionAnalysis: true, manualPromotion: true } },
    });
    const plan = planRollback(env, fleetOn('v2', ['green1'], { activeColour: 'green' }), 'v1');
    expect(plan.steps.map(short)).toEqual([
      'start blue1@v1',
      'gate blue1',
      'switch blue: blue1=1',
      'drain green1',
      'pause 30s',
      'stop green1',
    ]);
  });
});

describe('fleet state from the last succeeded deploy', () => {
  it('no succeeded deploy means an empty fleet', () => {
    expect(fleetStateFrom(testEnv(), null)).toEqual(EMPTY_FLEET);
  });

  it('a succeeded deploy leaves the fleet its plan expected', () => {
    const env = testEnv({ instances: colouredInstances() });
    const plan = planDeploy(env, fleetOn('v1', ['blue1', 'blue2'], { activeColour: 'blue' }), 'v2');
    expect(fleetStateFrom(env, record(plan))).toEqual({
      versions: { green1: 'v2', green2: 'v2' },
      weights: { green1: 1, green2: 1 },
      activeColour: 'green',
    });
  });

  it('instances removed from the config are dropped from the fleet', () => {
    const plan = planDeploy(testEnv(), EMPTY_FLEET, 'v1');
    expect(fleetStateFrom(testEnv({}, 2), record(plan))).toEqual(fleetOn('v1', ['a', 'b']));
  });

  it('a record without an expected fleet is read as every instance on its version', () => {
    const { expectedFleet: _, ...plan } = planDeploy(testEnv(), EMPTY_FLEET, 'v1');
    expect(fleetStateFrom(testEnv(), record(plan))).toEqual(fleetOn('v1', four));
  });

  it('planning the same version again from that state changes nothing', () => {
    const env = testEnv();
    const first = planDeploy(env, EMPTY_FLEET, 'v1');
    const again = planDeploy(env, fleetStateFrom(env, record(first)), 'v1');
    expect(again.noop).toBe(true);
  });
});

describe('checking the version before anything is recorded', () => {
  const env = testEnv({ analysis, strategy: { default: 'canary', canary: { tags: ['canary'] } } });
  it.each([
    ['a shell metacharacter', 'v2;rm -rf /'],
    ['a path', '../v2'],
    ['an empty version', ''],
  ])('a version with %s is refused by the planner, naming the field', (_what, version) => {
    for (const plan of [
      () => planDeploy(env, fleetOn('v1', four), version),
      () => planRollback(env, fleetOn('v1', four), version),
    ]) {
      expect(plan).toThrow(ValidationError);
      expect(plan).toThrow(/version: ".*" must be 1-128 of/);
    }
  });

  it('a version of letters, digits and . _ + ~ - plans as usual', () => {
    expect(planDeploy(env, fleetOn('v1', four), '2.4.1+build_7~rc-1').toVersion).toBe('2.4.1+build_7~rc-1');
  });
});
