import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxMissing } from '../helpers/nginx.js';
import { prometheusMissing } from '../helpers/prometheus.js';
import { anyMissing, suiteTitle } from '../helpers/require-tool.js';
import { isAlive, stopAll } from '../helpers/process.js';
import { startFleet, type Fleet } from './harness.js';

/**
 * Blue-green on real nginx: svc-a and svc-b are blue, svc-c and svc-d green. A steady load runs
 * through nginx the whole time; a failed request is any non-2xx answer or no answer at all.
 */
const missing = anyMissing(prometheusMissing(), nginxMissing());
const title = 'threader deploy end to end (blue-green)';
describe.skipIf(missing !== undefined)(suiteTitle(title, missing), () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({
      instances: 4,
      coloured: true,
      strategy: {
        default: 'blue-green',
        blueGreen: { scaleDownDelay: '60s', drainDelay: '500ms' },
      },
    });
  });
  afterAll(async () => {
    await fleet?.stop();
    await stopAll();
  });

  it('4. switches blue (v1) to green (v2) in one nginx reload and back in one more, with zero failed requests', async () => {
    const first = await fleet.deploy(['deploy', '--to', 'v1']);
    expect(first.code, first.stderr).toBe(0);
    // nginx reloads asynchronously: the deploy is done when the master has the new config.
    await fleet.nginx.waitForReloads(fleet.nginx.reloads());
    expect(await fleet.sample(8)).toEqual({ v1: 8 });
    const blue = ['svc-a', 'svc-b'].map((n) => fleet.pidOf(n));
    const before = fleet.load.failed();
    const completedBefore = fleet.load.completed();

    // The switch: green starts on v2, passes its health gate, nginx moves in one reload; blue stays up.
    const reloadsBefore = fleet.nginx.reloads();
    const deploy = fleet.spawnDeploy(['deploy', '--to', 'v2']);
    await fleet.servingOnly('v2', deploy);
    expect(fleet.nginx.reloads()).toBe(reloadsBefore + 1);
    await fleet.load.settle();
    expect(fleet.load.failures().slice(before)).toEqual([]);
    const green = ['svc-c', 'svc-d'].map((n) => fleet.pidOf(n));
    expect(blue.every((pid) => pid !== undefined && isAlive(pid))).toBe(true);

    // Within the scale-down delay the switch back is one more reload and no start.
    const reloads = fleet.nginx.reloads();
    const back = await fleet.deploy(['rollback']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toMatch(/deploy d-\S+ aborted: staging runs v1/);
    expect((await deploy.exited).code).toBe(1);
    await fleet.nginx.waitForReloads(reloads + 1);
    expect(fleet.nginx.reloads()).toBe(reloads + 1);
    expect(await fleet.sample(8)).toEqual({ v1: 8 });
    expect(['svc-a', 'svc-b'].map((n) => fleet.pidOf(n))).toEqual(blue);
    expect(green.some((pid) => pid !== undefined && isAlive(pid))).toBe(false);
    await fleet.load.settle();
    expect(fleet.load.failures().slice(before)).toEqual([]);
    // The load really ran through both switches (a request every 10 ms).
    expect(fleet.load.completed() - completedBefore).toBeGreaterThan(100);
  });
});
