import { describe, expect, it } from 'vitest';
import { planBlueGreen } from './plan-blue-green.js';
import { EMPTY_FLEET } from './plan-common.js';
import { colouredInstances, fleetOn, short, testEnv } from './plan-fixtures.test-suite.js';

const analysis = {
  provider: { type: 'prometheus', url: 'http://127.0.0.1:9090' },
  slos: {},
  interval: '2s',
  count: 3,
};
const blueLive = fleetOn('v1', ['blue1', 'blue2'], { activeColour: 'blue' });

describe('blue-green plans', () => {
  it('the idle colour starts and is gated, one switch moves traffic, the old colour is drained and stops after the scale-down delay', () => {
    const env = testEnv({
      instances: colouredInstances(),
      strategy: { blueGreen: { scaleDownDelay: '1m' } },
    });
    const plan = planBlueGreen(env, blueLive, 'v2');
    expect(plan.steps.map(short)).toEqual([
      'start green1,green2@v2',
      'gate green1,green2',
      'switch green: green1=1 green2=1',
      'drain blue1,blue2',
      'pause 60s',
      'stop blue1,blue2',
    ]);
    expect(plan.mandatedWaitMs).toBe(2 * 1_000 + 5_000 + 60_000);
    expect(plan.expectedFleet).toEqual({
      versions: { green1: 'v2', green2: 'v2' },
      weights: { green1: 1, green2: 1 },
      activeColour: 'green',
    });
    expect(plan.fromVersion).toBe('v1');
  });

  it('with every option the analyses and the manual promotion sit around the switch', () => {
    const env = testEnv({
      instances: colouredInstances(1),
      analysis,
      strategy: {
        blueGreen: { prePromotionAnalysis: true, postPromotionAnalysis: true, manualPromotion: true },
      },
    });
    const plan = planBlueGreen(env, fleetOn('v1', ['blue1'], { activeColour: 'blue' }), 'v2');
    expect(plan.steps.map(short)).toEqual([
      'start green1@v2',
      'gate green1',
      'analyse pre-promotion (green) 3x2s',
      'approve',
      'switch green: green1=1',
      'drain blue1',
      'analyse post-promotion (green) 3x2s',
      'pause 30s',
      'stop blue1',
    ]);
  });

  it('without a scale-down delay the old colour is still drained before it stops', () => {
    const env = testEnv({
      instances: colouredInstances(1),
      strategy: { blueGreen: { scaleDownDelay: 0, drainDelay: '2s' } },
    });
    const plan = planBlueGreen(env, fleetOn('v1', ['blue1'], { activeColour: 'blue' }), 'v2');
    expect(plan.steps.map(short)).toEqual([
      'start green1@v2',
      'gate green1',
      'switch green: green1=1',
      'drain blue1',
      'stop blue1',
    ]);
    expect(plan.steps.find((s) => s.kind === 'drain')).toMatchObject({ delay: 2_000 });
    expect(plan.mandatedWaitMs).toBe(2 * 1_000 + 2_000);
  });

  it('an idle colour still in nginx (a half-finished switch) leaves it and is drained before it restarts', () => {
    const env = testEnv({ instances: colouredInstances(1) });
    const fleet = {
      versions: { blue1: 'v1', green1: 'v1' },
      weights: { blue1: 1, green1: 1 },
      activeColour: 'blue' as const,
    };
    expect(planBlueGreen(env, fleet, 'v2').steps.map(short).slice(0, 4)).toEqual([
      'weights blue1=1',
      'drain green1',
      'start green1@v2',
      'gate green1',
    ]);
  });

  it('a first deploy goes to blue and has nothing to scale down', () => {
    const env = testEnv({ instances: colouredInstances() });
    expect(planBlueGreen(env, EMPTY_FLEET, 'v1').steps.map(short)).toEqual([
      'start blue1,blue2@v1',
      'gate blue1,blue2',
      'switch blue: blue1=1 blue2=1',
    ]);
  });

  it('the active colour is read from the weights when the record does not name it', () => {
    const env = testEnv({ instances: colouredInstances() });
    const plan = planBlueGreen(
      env,
      { versions: { green1: 'v1', green2: 'v1' }, weights: { green1: 1, green2: 1 } },
      'v2',
    );
    expect(short(plan.steps[0]!)).toBe('start blue1,blue2@v2');
  });

  it('switching back to a colour that still runs the version does not restart it', () => {
    const env = testEnv({ instances: colouredInstances() });
    const fleet = {
      ...fleetOn('v2', ['green1', 'green2'], { activeColour: 'green' as const }),
      versions: { green1: 'v2', green2: 'v2', blue1: 'v1', blue2: 'v1' },
    };
    expect(planBlueGreen(env, fleet, 'v1').steps.map(short).slice(0, 2)).toEqual([
      'gate blue1,blue2',
      'switch blue: blue1=1 blue2=1',
    ]);
  });

  it('the active colour already on the version is a no-op', () => {
    const env = testEnv({ instances: colouredInstances() });
    expect(planBlueGreen(env, blueLive, 'v1')).toMatchObject({ noop: true, steps: [] });
  });
});
