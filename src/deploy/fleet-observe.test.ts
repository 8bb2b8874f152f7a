import { describe, expect, it } from 'vitest';
import { FakeDriver, FakeRouter, testEnv, testRecord } from '../../test/deploy/fakes.js';
import { observationReason, observeFleet } from './fleet-observe.js';
import { planDeploy } from './plan.js';
import type { InstanceSpec } from './types.js';

const serve = (router: FakeRouter, env: { instances: InstanceSpec[] }, names: string[]) =>
  router.apply(env.instances.filter((i) => names.includes(i.name)).map((i) => ({ ...i, weight: 1 })));

describe('observing the fleet', () => {
  it('reads versions from the driver and weights from nginx: an instance left on v2 or stopped by a failed revert shows', async () => {
    const env = testEnv();
    const driver = new FakeDriver();
    const router = new FakeRouter();
    for (const [name, version] of [
      ['a', 'v1'],
      ['b', 'v1'],
      ['c', 'v2'],
    ] as const)
      await driver.start({ name }, version);
    await serve(router, env, ['a', 'b', 'c']);
    const fleet = await observeFleet(env, driver, router);
    expect(fleet).toEqual({ versions: { a: 'v1', b: 'v1', c: 'v2' }, weights: { a: 1, b: 1, c: 1 } });
    // The records would say "every instance on v1: nothing to do"; the observed fleet needs work.
    const plan = planDeploy(env, fleet, 'v1');
    expect(plan.noop).toBe(false);
    expect(
      plan.steps.filter((s) => s.kind === 'start').flatMap((s) => ('instances' in s ? s.instances : [])),
    ).toEqual(['c', 'd']);
  });

  it('a running instance whose version the driver cannot tell counts as not running', async () => {
    const env = testEnv();
    const driver = new FakeDriver();
    driver.state = async () => ({ running: true });
    const fleet = await observeFleet(env, driver, new FakeRouter());
    expect(fleet.versions).toEqual({});
  });

  it('a blue-green fleet is active on the colour nginx sends traffic to', async () => {
    const env = testEnv({
      instances: [
        { name: 'blue1', host: '127.0.0.1', port: 9001, colour: 'blue', tags: [] },
        { name: 'green1', host: '127.0.0.1', port: 9002, colour: 'green', tags: [] },
      ],
    });
    const router = new FakeRouter();
    await serve(router, env, ['green1']);
    expect((await observeFleet(env, new FakeDriver(), router)).activeColour).toBe('green');
  });

  it.each([
    [
      'the newest deploy failed',
      { status: 'failed' as const },
      false,
      /the last deploy \(d-1, v1 → v2\) failed/,
    ],
    ['asked for', { status: 'succeeded' as const }, true, /--observe/],
    ['the newest deploy succeeded', { status: 'succeeded' as const }, false, undefined],
    ['the newest deploy rolled back cleanly', { status: 'rolled-back' as const }, false, undefined],
  ])('observes when %s', (_why, patch, asked, reason) => {
    const why = observationReason(testRecord([], patch), asked);
    if (reason) expect(why).toMatch(reason);
    else expect(why).toBeUndefined();
  });
});
