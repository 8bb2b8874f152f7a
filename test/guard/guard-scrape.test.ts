import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { stringify } from 'yaml';
import { startTestService, startTraffic, type TestService } from '../fixtures/test-service-client.js';
import { runThreader, spawnThreader, stopAll } from '../helpers/process.js';

// The direct-scrape provider: no Prometheus, the guard reads the instance's /metrics itself and
// computes ratios from counter increases between scrapes.

interface Evaluation {
  healthy: boolean;
  results: Array<{ slo: string; outcome: string; value: number | null; message: string }>;
}

const dir = mkdtempSync(join(tmpdir(), 'guard-scrape-'));
let service: TestService;
let stopTraffic: (() => void) | undefined;
let cfg: string;

const guard = (...args: string[]) =>
  runThreader(['guard', ...args, '--config', cfg, '--lock-file', join(dir, 'qos.guard')]);

beforeAll(async () => {
  service = await startTestService({ errorRatio: 0.5, unhealthy: true, name: 'svc' });
  cfg = join(dir, 'threader.yaml');
  writeFileSync(
    cfg,
    stringify({
      guard: {
        window: '5s',
        evaluationInterval: '500ms',
        provider: { type: 'scrape', targets: [`${service.url}/metrics`], warmup: '1s', timeout: '2s' },
      },
    }),
  );
  stopTraffic = startTraffic(service.url);
});

afterAll(async () => {
  stopTraffic?.();
  await stopAll();
});

describe('guard with the direct-scrape provider', () => {
  it('sees a bad service as unhealthy, from the counters it exports', async () => {
    const r = await guard('check', '--json');
    expect(r.code).toBe(1);
    const e = JSON.parse(r.stdout) as Evaluation;
    expect(e.results.map((x) => x.outcome)).toEqual(['Failed', 'Failed', 'Failed']);
    expect(e.results[0]?.value).toBeGreaterThan(0.4);
    expect(e.results[1]?.value).toBe(0);
  });

  it('sees the recovered service as healthy and releases the lock after 3 healthy evaluations', async () => {
    await service.setState({ errorRatio: 0, healthy: true });
    const check = await guard('check');
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('http_5xx_ratio: Successful — 0% <= 1%');

    expect((await guard('lock', '1s', '--reason', 'rollback')).code).toBe(0);
    const watch = spawnThreader([
      'guard',
      'watch',
      '--json',
      '--exit-when-unlocked',
      '--config',
      cfg,
      '--lock-file',
      join(dir, 'qos.guard'),
    ]);
    expect((await watch.exited).code).toBe(0);
    const reports = watch.lines().map((l) => JSON.parse(l) as { released: boolean; evaluation?: Evaluation });
    expect(reports.map((r) => r.evaluation?.healthy)).toEqual([true, true, true]);
    expect(reports.at(-1)?.released).toBe(true);
  });

  it('reports no traffic as no data, which is not healthy', async () => {
    stopTraffic?.();
    stopTraffic = undefined;
    const r = await guard('check', '--json');
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as Evaluation).results.map((x) => x.message)).toEqual(
      Array(3).fill('no data (policy: fail)'),
    );
  });

  it('reports an instance that cannot be scraped as an error', async () => {
    await service.stop();
    const r = await guard('check', '--json');
    expect(r.code).toBe(1);
    const e = JSON.parse(r.stdout) as Evaluation;
    expect(e.results.map((x) => x.outcome)).toEqual(['Error', 'Error', 'Error']);
    expect(e.results[0]?.message).toMatch(
      /cannot scrape http:\/\/127\.0\.0\.1:\d+\/metrics \(ECONNREFUSED\)/,
    );
  });
});
