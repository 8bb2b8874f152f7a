import { describe, expect, it } from 'vitest';
import { planCanary } from './plan-canary.js';
import { fleetOn, short, testEnv } from './plan-fixtures.test-suite.js';

const analysis = {
  provider: { type: 'prometheus', url: 'http://127.0.0.1:9090' },
  slos: {},
  interval: '2s',
  count: 3,
};
const four = ['a', 'b', 'c', 'd'];

describe('canary plans', () => {
  it('the canary is replaced out of nginx, then follows the steps with effective weights, then promotion rolls the rest', () => {
    const env = testEnv({
      analysis,
      strategy: {
        canary: {
          tags: ['canary'],
          steps: [{ setWeight: 10 }, { analysis: {} }, { setWeight: 50 }, { pause: { duration: '30s' } }],
        },
      },
    });
    const plan = planCanary(env, fleetOn('v1', four), 'v2');
    expect(plan.steps.map(short)).toEqual([
      'weights b=1 c=1 d=1',
      'drain a',
      'stop a',
      'start a@v2',
      'gate a',
      'weights a=1 b=3 c=3 d=3 (10%)',
      'analyse canary at 10% 3x2s',
      'weights a=3 b=1 c=1 d=1 (50%)',
      'pause 30s',
      'weights a=1 b=1 c=1 d=1 (25%)',
      'weights a=1 c=1 d=1',
      'drain b',
      'stop b',
      'start b@v2',
      'gate b',
      'weights a=1 b=1 d=1',
      'drain c',
      'stop c',
      'start c@v2',
      'gate c',
      'weights a=1 b=1 c=1',
      'drain d',
      'stop d',
      'start d@v2',
      'gate d',
      'weights a=1 b=1 c=1 d=1',
    ]);
    expect(plan).toMatchObject({ strategy: 'canary', fromVersion: 'v1', toVersion: 'v2', noop: false });
    expect(plan.expectedFleet).toEqual(fleetOn('v2', four));
    // drains 5 s × 4, 4 gates × 2 s, one analysis 3 × 2 s, one 30 s pause
    expect(plan.mandatedWaitMs).toBe(20_000 + 8_000 + 6_000 + 30_000);
  });

  it('the set-weight steps report the requested and the effective share', () => {
    const env = testEnv({ strategy: { canary: { instances: ['a'], steps: [{ setWeight: 33 }] } } }, 3);
    const step = planCanary(env, fleetOn('v1', ['a', 'b', 'c']), 'v2').steps.find(
      (s) => s.kind === 'set-weight' && s.requestedPercent === 33,
    );
    expect(step).toMatchObject({
      weights: { a: 66, b: 67, c: 67 },
      requestedPercent: 33,
      effectivePercent: 33,
    });
  });

  it('100 % takes the stable instances out of nginx, and promotion replaces them before they return', () => {
    const env = testEnv({ strategy: { canary: { tags: ['canary'], steps: [{ setWeight: 100 }] } } }, 2);
    const lines = planCanary(env, fleetOn('v1', ['a', 'b']), 'v2').steps.map(short);
    expect(lines.slice(5)).toEqual([
      'weights a=1 (100%)',
      'stop b',
      'start b@v2',
      'gate b',
      'weights a=1 b=1',
    ]);
  });

  it('a pause without a duration waits for resume and is left out of the durations', () => {
    const env = testEnv({
      strategy: { canary: { tags: ['canary'], steps: [{ setWeight: 20 }, { pause: {} }] } },
    });
    const plan = planCanary(env, fleetOn('v1', four), 'v2');
    expect(plan.steps.map(short)).toContain('pause until resumed');
    expect(plan.notes?.join('\n')).toMatch(/canary at 20%" waits for `threader resume`/);
  });

  it('a fleet already on the version is a no-op', () => {
    const env = testEnv({ strategy: { canary: { tags: ['canary'] } } });
    expect(planCanary(env, fleetOn('v2', four), 'v2')).toMatchObject({ noop: true, steps: [] });
  });

  it('production asks for approval before the canary starts', () => {
    const env = testEnv({ strategy: { canary: { tags: ['canary'] } } }, 4, 'production');
    expect(short(planCanary(env, fleetOn('v1', four), 'v2').steps[0]!)).toBe('approve');
  });
});

describe('a canary deploy to an empty fleet', () => {
  it('skips the canary steps, as there is no stable version to compare with', async () => {
    const { planDeploy, EMPTY_FLEET } = await import('./plan.js');
    const env = testEnv({
      analysis,
      strategy: {
        default: 'canary',
        canary: { tags: ['canary'], steps: [{ setWeight: 10 }, { analysis: {} }] },
      },
    });
    const plan = planDeploy(env, EMPTY_FLEET, 'v1');
    expect(plan.steps.some((s) => s.kind === 'analyse')).toBe(false);
    expect(
      plan.steps.filter((s) => s.kind === 'start').flatMap((s) => (s.kind === 'start' ? s.instances : [])),
    ).toEqual(four);
    expect(plan.notes?.[0]).toMatch(/initial deploy/);
  });
});

describe('canary capacity', () => {
  it('three canaries of four would leave one instance serving: refused at plan time, naming maxUnavailable', () => {
    const env = testEnv({ strategy: { canary: { instances: ['a'] } } });
    const three = {
      ...env,
      strategy: { ...env.strategy, canary: { ...env.strategy.canary, instances: ['a', 'b', 'c'] } },
    };
    expect(() => planCanary(three, fleetOn('v1', ['a', 'b', 'c', 'd']), 'v2')).toThrow(
      /3 canaries leave nginx together, but strategy.rolling.maxUnavailable allows 1 of 4/,
    );
  });

  it('two canaries fit when maxUnavailable lets two out', () => {
    const env = testEnv({ strategy: { rolling: { maxUnavailable: 2 }, canary: { instances: ['a', 'b'] } } });
    expect(planCanary(env, fleetOn('v1', ['a', 'b', 'c', 'd']), 'v2').steps[0]).toMatchObject({
      kind: 'set-weight',
      weights: { c: 1, d: 1 },
    });
  });
});
