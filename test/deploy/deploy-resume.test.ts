import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxMissing } from '../helpers/nginx.js';
import { prometheusMissing } from '../helpers/prometheus.js';
import { anyMissing, suiteTitle } from '../helpers/require-tool.js';
import { stopAll } from '../helpers/process.js';
import { startFleet, untilSeenOrExit, type Fleet } from './harness.js';

/**
 * One deploy per environment, and a deployer that dies: a rolling v1 → v2 over 4 instances is
 * refused a second deployer while it runs, killed with SIGKILL half-way, and finished by
 * `threader deploy --resume ID` — all under a steady load through real nginx.
 */
const missing = anyMissing(prometheusMissing(), nginxMissing());
const title = 'threader deploy end to end (one at a time, kill -9 and resume)';
describe.skipIf(missing !== undefined)(suiteTitle(title, missing), () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({
      instances: 4,
      strategy: { default: 'rolling', rolling: { maxSurge: '25%', maxUnavailable: '25%', drainDelay: '1s' } },
    });
  });
  afterAll(async () => {
    await fleet?.stop();
    await stopAll();
  });

  it('5 and 6. a second deploy is refused naming the holder; the holder killed with -9 is resumed and finishes cleanly', async () => {
    const first = await fleet.deploy(['deploy', '--to', 'v1']);
    expect(first.code, first.stderr).toBe(0);
    await fleet.nginx.waitForReloads(fleet.nginx.reloads());
    const before = fleet.load.failed();

    const deployer = fleet.spawnDeploy(['deploy', '--to', 'v2']);
    // Half-way: the first batch is back in nginx on v2 while v1 still serves the rest.
    const halfway = await untilSeenOrExit(
      async () => ((await fleet.sample(6)).v2 ? true : undefined),
      deployer,
      'a first instance on v2 in nginx',
    );
    expect(halfway).toBe(true);

    const second = await fleet.deploy(['deploy', '--to', 'v3']);
    expect(second.code).toBe(3);
    const id = /deploy (d-\S+) \(rolling v1 → v2\) by e2e since \S+ holds staging/.exec(second.stderr)?.[1];
    expect(id, second.stderr).toBeDefined();
    expect(second.stderr).toContain(`wait for it, or stop it with \`threader abort ${id}`);

    deployer.child.kill('SIGKILL');
    expect((await deployer.exited).signal).toBe('SIGKILL');
    const mixed = await fleet.sample(8);
    expect(Object.keys(mixed).sort()).toEqual(['v1', 'v2']);

    const orphaned = await fleet.deploy(['deploy', '--to', 'v3']);
    expect(orphaned.code).toBe(3);
    expect(orphaned.stderr).toContain(`take it over with \`threader deploy --resume ${id}`);

    const resumed = await fleet.deploy(['deploy', '--resume', id as string]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`deploy ${id} succeeded`);
    await fleet.nginx.waitForReloads(fleet.nginx.reloads());
    expect(await fleet.sample(8)).toEqual({ v2: 8 });
    for (const name of fleet.names) {
      const r = await fetch(`http://127.0.0.1:${fleet.ports[fleet.names.indexOf(name)]}/`);
      await r.arrayBuffer();
      expect(r.headers.get('x-version'), name).toBe('v2');
    }
    await fleet.load.settle();
    expect(fleet.load.failures().slice(before)).toEqual([]);
  });
});
