import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxMissing } from '../helpers/nginx.js';
import { prometheusMissing } from '../helpers/prometheus.js';
import { anyMissing, suiteTitle } from '../helpers/require-tool.js';
import { runThreader, stopAll } from '../helpers/process.js';
import { startFleet, type Fleet } from './harness.js';

/**
 * Timelines of real deploys: `threader deploy` as a user runs it, real nginx, real Prometheus
 * scraping the instances, a steady load through nginx the whole time.
 */
const missing = anyMissing(prometheusMissing(), nginxMissing());
const title = 'threader deploy end to end (rolling and canary)';
describe.skipIf(missing !== undefined)(suiteTitle(title, missing), () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({
      instances: 4,
      strategy: {
        default: 'rolling',
        rolling: { maxSurge: '25%', maxUnavailable: '25%', drainDelay: '300ms' },
        canary: { tags: ['canary'], steps: [{ setWeight: 10 }, { analysis: {} }], drainDelay: '300ms' },
      },
    });
  });
  afterAll(async () => {
    await fleet?.stop();
    await stopAll();
  });

  it('1. rolls v1 then v2 over 4 instances with zero failed requests, every instance on v2', async () => {
    const first = await fleet.deploy(['deploy', '--to', 'v1']);
    expect(first.stderr).toContain('succeeded');
    expect(first.code).toBe(0);
    expect(await fleet.sample(8)).toEqual({ v1: 8 });
    const before = fleet.load.failed();
    const second = await fleet.deploy(['deploy', '--to', 'v2']);
    expect(second.code, second.stderr).toBe(0);
    expect(fleet.load.failed() - before).toBe(0);
    expect(await fleet.sample(8)).toEqual({ v2: 8 });
  });

  it('3. a good canary passes its analysis and is promoted: all on v2.1', async () => {
    const before = fleet.load.failed();
    const run = await fleet.deploy(['deploy', '--to', 'v2.1', '--strategy', 'canary']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('analysis Successful');
    expect(fleet.load.failed() - before).toBe(0);
    expect(await fleet.sample(8)).toEqual({ 'v2.1': 8 });
  });

  it('2. a bad canary at 10 % fails its analysis on its own 5xx: traffic back on v2.1, canary back on it, guard locked, value reported', async () => {
    const run = await fleet.deploy(['deploy', '--to', 'v3-bad', '--strategy', 'canary', '--json']);
    expect(run.code).toBe(1);
    const record = JSON.parse(run.stdout.trim()) as {
      status: string;
      failure: { kind: string; judgements: Array<{ value: number; threshold: number; query: string }> };
    };
    expect(record.status).toBe('rolled-back');
    expect(record.failure.kind).toBe('analyse');
    // The canary's own ratio (20 % of its app requests), not the fleet's (about 2 % at 10 % traffic).
    const canary = `127\\\\.0\\\\.0\\\\.1:${fleet.ports.at(-1)}`;
    expect(record.failure.judgements[0]?.value).toBeGreaterThan(0.05);
    expect(record.failure.judgements[0]?.threshold).toBe(0.01);
    expect(record.failure.judgements[0]?.query).toContain('threader_http_requests_total');
    expect(record.failure.judgements[0]?.query).toContain(`instance=~"${canary}"`);
    expect(run.stderr).toBe('');
    expect(await fleet.sample(8)).toEqual({ 'v2.1': 8 });
    const guard = await runThreader(['guard', 'status', '--lock-file', fleet.guardFile]);
    expect(guard.code).toBe(1);
  });

  it('6. refuses a deploy while the guard is locked, quoting the lock, exit 3', async () => {
    const run = await fleet.deploy(['deploy', '--to', 'v4']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('the guard window is locked');
    expect(run.stderr).toContain('rolled back');
  });
});
