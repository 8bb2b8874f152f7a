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

  /** Failed requests through nginx since `before`, counted once every request sent has answered. */
  async function failedSince(before: number): Promise<string[]> {
    await fleet.load.settle();
    return fleet.load.failures().slice(before);
  }

  /** Each scenario states the fleet it starts from, so it holds when run alone (`-t`). */
  async function startOn(version: string): Promise<void> {
    const seen = await fleet.sample(8);
    if (seen[version] === 8) return;
    const run = await fleet.deploy(['deploy', '--to', version, '--strategy', 'rolling']);
    expect(run.code, run.stderr).toBe(0);
    await fleet.servingOnly(version);
  }

  async function guardLock(): Promise<{ locked: boolean; lock?: { reason: string } }> {
    const status = await runThreader(['guard', 'status', '--json', '--lock-file', fleet.guardFile]);
    return JSON.parse(status.stdout) as { locked: boolean; lock?: { reason: string } };
  }

  it('1. rolls v1 then v2 over 4 instances with zero failed requests, every instance on v2', async () => {
    await startOn('v1');
    const before = fleet.load.failed();
    const second = await fleet.deploy(['deploy', '--to', 'v2']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('succeeded');
    expect(await failedSince(before)).toEqual([]);
    expect(await fleet.sample(8)).toEqual({ v2: 8 });
  });

  it('3. a good canary passes its analysis and is promoted: all on v2.1', async () => {
    await startOn('v2');
    const before = fleet.load.failed();
    const run = await fleet.deploy(['deploy', '--to', 'v2.1', '--strategy', 'canary']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('analysis Successful');
    expect(await failedSince(before)).toEqual([]);
    expect(await fleet.sample(8)).toEqual({ 'v2.1': 8 });
  });

  it('2. a bad canary at 10 % fails its analysis on its own 5xx: traffic back on v2.1, canary back on it, guard locked, value reported', async () => {
    await startOn('v2.1');
    const before = fleet.load.failed();
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
    // Only the bad canary's own 503s reached clients; nothing else failed around the rollback.
    expect(await failedSince(before)).toEqual([]);
    const guard = await guardLock();
    expect(guard.locked).toBe(true);
    expect(guard.lock?.reason).toContain('rolled back');
  });

  it('6. refuses a deploy while the guard is locked, quoting the lock, exit 3', async () => {
    if (!(await guardLock()).locked) {
      const lock = ['guard', 'lock', '10m', '--reason', 'fleet recovering', '--lock-file', fleet.guardFile];
      expect((await runThreader(lock)).code).toBe(0);
    }
    const { lock } = await guardLock();
    const run = await fleet.deploy(['deploy', '--to', 'v4']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('the guard window is locked');
    expect(run.stderr).toContain(`"${lock?.reason}"`);
  });
});
