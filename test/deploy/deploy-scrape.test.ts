import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nginxMissing } from '../helpers/nginx.js';
import { anyMissing, suiteTitle } from '../helpers/require-tool.js';
import { runThreader, stopAll } from '../helpers/process.js';
import { startFleet, type Fleet } from './harness.js';

/**
 * Canary analysis with no Prometheus at all (`analysis.provider.type: scrape`): the deployer reads
 * the canary's own /metrics, and is the only caller of its /healthz, so both built-in SLOs it keeps
 * on (5xx ratio, health-check success ratio) are judged from what it scrapes. Real nginx, real
 * processes, a steady load through nginx the whole time. Three instances, the last the canary.
 */
const missing = anyMissing(nginxMissing());
const title = 'threader deploy end to end (canary judged by the direct scrape)';
describe.skipIf(missing !== undefined)(suiteTitle(title, missing), () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({
      instances: 3,
      provider: 'scrape',
      strategy: {
        default: 'canary',
        rolling: { maxSurge: 0, maxUnavailable: 1, drainDelay: '300ms' },
        canary: { tags: ['canary'], steps: [{ setWeight: 10 }, { analysis: {} }], drainDelay: '300ms' },
      },
      // Two measurements 2 s apart keep the analysis short. The first comes a 4 s window after the
      // first scrape (the direct scrape needs two scrapes to see any increase); 4 s of a 10 %
      // canary is about 40 app requests, so a 20 % error rate shows in every window.
      analysis: { count: 2, interval: '2s' },
    });
  });
  afterAll(async () => {
    await fleet?.stop();
    await stopAll();
  });

  async function failedSince(before: number): Promise<string[]> {
    await fleet.load.settle();
    return fleet.load.failures().slice(before);
  }

  /** Each scenario states the fleet it starts from, so it holds when run alone (`-t`). */
  async function startOn(version: string): Promise<void> {
    const seen = await fleet.sample(6);
    if (seen[version] === 6) return;
    const run = await fleet.deploy(['deploy', '--to', version, '--strategy', 'rolling']);
    expect(run.code, run.stderr).toBe(0);
    await fleet.servingOnly(version);
  }

  it('a good canary passes both SLOs on its own /metrics and is promoted with zero failed requests', async () => {
    await startOn('v1');
    const before = fleet.load.failed();
    const run = await fleet.deploy(['deploy', '--to', 'v2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('analysis Successful');
    // Both SLOs judged on data (no data fails them): the deployer's probes answered 200 every time.
    expect(run.stderr).toMatch(/health_check_success_ratio: 100(\.0+)?% >= 99\.5% +\[increase of /);
    expect(run.stderr).toMatch(/http_5xx_ratio: 0(\.0+)?% <= 1% +\[increase of /);
    expect(run.stderr).toContain('succeeded');
    expect(await failedSince(before)).toEqual([]);
    expect(await fleet.sample(6)).toEqual({ v2: 6 });
  });

  it('a bad canary (20 % 5xx) is rolled back on its own scraped error ratio, the failing value and query reported', async () => {
    await startOn('v2');
    const before = fleet.load.failed();
    const run = await fleet.deploy(['deploy', '--to', 'v3-bad', '--json']);
    expect(run.code, run.stderr).toBe(1);
    const record = JSON.parse(run.stdout.trim()) as {
      status: string;
      failure: {
        kind: string;
        judgements: Array<{ check: string; value: number; threshold: number; query: string }>;
      };
    };
    expect(record.status).toBe('rolled-back');
    expect(record.failure.kind).toBe('analyse');
    // Only the 5xx SLO failed: the health checks (the deployer's own probes) all succeeded.
    expect(record.failure.judgements.map((j) => j.check)).toEqual(['http_5xx_ratio']);
    const [judgement] = record.failure.judgements;
    // The canary's own ratio: 20 % of its app requests, diluted only by the deployer's probes.
    expect(judgement?.value).toBeGreaterThan(0.05);
    expect(judgement?.threshold).toBe(0.01);
    expect(judgement?.query).toMatch(
      /^increase of threader_http_requests_total\{code=~"5\.\."\} .* across 1 target\(s\)$/,
    );
    expect(await fleet.sample(6)).toEqual({ v2: 6 });
    expect(await failedSince(before)).toEqual([]);
    const guard = await runThreader(['guard', 'status', '--json', '--lock-file', fleet.guardFile]);
    expect(JSON.parse(guard.stdout)).toMatchObject({ locked: true });
  });
});
