import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { planRolling } from './plan-rolling.js';
import { EMPTY_FLEET } from './plan-common.js';
import { resolveSurge, rollingBatchSize } from './surge.js';
import { colouredInstances, fleetOn, short, testEnv } from './plan-fixtures.test-suite.js';

describe('rolling plans', () => {
  const cases = [
    {
      name: 'four instances at 25 % roll one at a time, each out of nginx before it stops and back only after its gate, in the reload that takes the next one out',
      env: testEnv(),
      fleet: fleetOn('v1', ['a', 'b', 'c', 'd']),
      batches: [['a'], ['b'], ['c'], ['d']],
      first: [
        'weights b=1 c=1 d=1',
        'drain a',
        'stop a',
        'start a@v2',
        'gate a',
        'weights a=1 c=1 d=1',
        'drain b',
      ],
    },
    {
      name: 'maxUnavailable 2 takes two instances per batch',
      env: testEnv({ strategy: { rolling: { maxUnavailable: 2 } } }),
      fleet: fleetOn('v1', ['a', 'b', 'c', 'd']),
      batches: [
        ['a', 'b'],
        ['c', 'd'],
      ],
      first: [
        'weights c=1 d=1',
        'drain a,b',
        'stop a,b',
        'start a,b@v2',
        'gate a,b',
        'weights a=1 b=1',
        'drain c,d',
      ],
    },
    {
      name: 'instances already on the new version are skipped',
      env: testEnv(),
      fleet: { ...fleetOn('v1', ['a', 'b', 'c', 'd']), versions: { a: 'v2', b: 'v2', c: 'v1', d: 'v1' } },
      batches: [['c'], ['d']],
      first: ['weights a=1 b=1 d=1', 'drain c', 'stop c'],
    },
    {
      name: 'a first deploy starts instances that carry no traffic without draining them',
      env: testEnv(),
      fleet: EMPTY_FLEET,
      batches: [['a'], ['b'], ['c'], ['d']],
      first: ['start a@v2', 'gate a', 'weights a=1'],
    },
  ];
  it.each(cases)('$name', ({ env, fleet, batches, first }) => {
    const plan = planRolling(env, fleet, 'v2');
    expect(plan.rolling?.batches).toEqual(batches);
    expect(plan.steps.map(short).slice(0, first.length)).toEqual(first);
    expect(plan.expectedFleet).toEqual(fleetOn('v2', ['a', 'b', 'c', 'd']));
    expect(plan.noop).toBe(false);
  });

  describe('merging "batch k back" with "batch k+1 out" never shrinks the upstream below N − maxUnavailable', () => {
    const settings: Array<[string | number, string | number]> = [
      ['25%', '25%'],
      [0, '50%'],
      [1, 2],
      ['25%', 0],
    ];
    const cases = Array.from({ length: 10 }, (_, i) => i + 1).flatMap((n) =>
      settings.map(([maxSurge, maxUnavailable]) => ({ n, maxSurge, maxUnavailable })),
    );
    it.each(cases)(
      'N = $n with maxSurge $maxSurge and maxUnavailable $maxUnavailable',
      ({ n, maxSurge, maxUnavailable }) => {
        const env = testEnv({ strategy: { rolling: { maxSurge, maxUnavailable } } }, n);
        const names = env.instances.map((i) => i.name);
        const resolved = resolveSurge(n, env.strategy.rolling.maxSurge, env.strategy.rolling.maxUnavailable);
        if (rollingBatchSize(resolved, n) >= n) {
          // A batch of every instance is an outage: refused, naming the setting, unless
          // maxUnavailable as written allows every instance out.
          if (typeof maxUnavailable === 'number' && maxUnavailable >= n)
            expect(planRolling(env, fleetOn('v1', names), 'v2').notes?.join('\n')).toMatch(
              /every serving instance: requests fail/,
            );
          else
            expect(() => planRolling(env, fleetOn('v1', names), 'v2')).toThrow(
              /every serving instance out of service at once/,
            );
          return;
        }
        const plan = planRolling(env, fleetOn('v1', names), 'v2');
        const floor = n - rollingBatchSize(resolved, n);
        expect(floor).toBeGreaterThanOrEqual(1);
        const sizes = plan.steps
          .filter((s) => s.kind === 'set-weight')
          .map((s) => Object.values(s.weights).filter((w) => w > 0).length);
        // One reload per batch, plus the last batch back.
        expect(sizes).toHaveLength((plan.rolling?.batches.length ?? 0) + 1);
        for (const size of sizes) expect(size).toBeGreaterThanOrEqual(floor);
        // Never a step stopping an instance still in the upstream.
        let serving = new Set(names);
        for (const s of plan.steps) {
          if (s.kind === 'set-weight') serving = new Set(Object.keys(s.weights));
          if (s.kind === 'stop') for (const i of s.instances) expect(serving.has(i)).toBe(false);
        }
      },
    );
  });

  it('a fleet already on the version at full weight is a no-op with no steps', () => {
    const plan = planRolling(testEnv(), fleetOn('v2', ['a', 'b', 'c', 'd']), 'v2');
    expect(plan).toMatchObject({
      noop: true,
      steps: [],
      mandatedWaitMs: 0,
      worstCaseMs: 0,
      fromVersion: 'v2',
    });
  });

  it('production asks for approval first', () => {
    const plan = planRolling(testEnv({}, 4, 'production'), fleetOn('v1', ['a', 'b', 'c', 'd']), 'v2');
    expect(short(plan.steps[0]!)).toBe('approve');
    expect(plan.worstCaseMs).toBeGreaterThanOrEqual(3_600_000);
  });

  it('mandated waits are drains plus each gate’s (successes − 1) intervals', () => {
    const plan = planRolling(testEnv(), fleetOn('v1', ['a', 'b', 'c', 'd']), 'v2');
    // 4 batches × (5 s drain + 2 × 1 s of health probes)
    expect(plan.mandatedWaitMs).toBe(4 * (5_000 + 2_000));
    // 4 × (5 s drain + 30 s gate deadline + 10 s stop timeout)
    expect(plan.worstCaseMs).toBe(4 * (5_000 + 30_000 + 10_000));
  });

  it('a single instance at the 25 % default is refused: its update would be an outage', () => {
    let err: unknown;
    try {
      planRolling(testEnv({}, 1), fleetOn('v1', ['a']), 'v2');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems[0]?.field).toBe(
      'environments.staging.strategy.rolling.maxUnavailable',
    );
  });

  it('a single instance with maxUnavailable: 1 written out restarts in place, listed in nginx, and the plan says requests fail', () => {
    const plan = planRolling(
      testEnv({ strategy: { rolling: { maxUnavailable: 1 } } }, 1),
      fleetOn('v1', ['a']),
      'v2',
    );
    expect(plan.steps.map(short)).toEqual(['stop a', 'start a@v2', 'gate a']);
    expect(plan.notes?.join('\n')).toMatch(
      /batch 1 is every serving instance: requests fail until it is back/,
    );
  });

  it('two or three instances at 25 % go one at a time, and the plan says why', () => {
    for (const n of [2, 3]) {
      const env = testEnv({}, n);
      const plan = planRolling(
        env,
        fleetOn(
          'v1',
          env.instances.map((i) => i.name),
        ),
        'v2',
      );
      expect(plan.rolling?.batches.every((b) => b.length === 1)).toBe(true);
      expect(plan.notes?.join('\n')).toMatch(
        new RegExp(`maxUnavailable resolves to 0 of ${n}.*one instance at a time`),
      );
    }
  });

  it('a first deploy of a single instance is not refused: nothing serves yet', () => {
    expect(planRolling(testEnv({}, 1), EMPTY_FLEET, 'v2').steps.map(short)).toEqual([
      'start a@v2',
      'gate a',
      'weights a=1',
    ]);
  });

  it('a coloured fleet is refused: it deploys blue-green', () => {
    expect(() => planRolling(testEnv({ instances: colouredInstances() }), EMPTY_FLEET, 'v2')).toThrow(
      ValidationError,
    );
  });
});
