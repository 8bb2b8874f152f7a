import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { stringify } from 'yaml';
import { startTestService, startTraffic, type TestService } from '../fixtures/test-service-client.js';
import { runThreader, spawnThreader, stopAll, waitFor, type StartedProcess } from '../helpers/process.js';
import { hasPrometheus, startPrometheus, type PrometheusHandle } from '../helpers/prometheus.js';

// Timeline against a real Prometheus (1 s scrapes) scraping the real test service, with the
// guard's window shrunk to 5 s and evaluations every second.

interface Report {
  at: string;
  released: boolean;
  locked: boolean;
  phase?: string;
  evaluation?: {
    healthy: boolean;
    results: Array<{ slo: string; outcome: string; value: number | null; message: string }>;
  };
}

const dir = mkdtempSync(join(tmpdir(), 'guard-prom-'));
let service: TestService;
let prometheus: PrometheusHandle;
let stopTraffic: () => void;

function config(name: string, guard: Record<string, unknown>): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    stringify({
      guard: {
        window: '5s',
        evaluationInterval: '1s',
        release: { healthyEvaluations: 3 },
        provider: { type: 'prometheus', url: prometheus.url, timeout: '2s' },
        scope: { job: 'svc' },
        ...guard,
      },
    }),
  );
  return path;
}

const args = (cfg: string, lock: string) => ['--config', cfg, '--lock-file', join(dir, lock)];
const reports = (p: StartedProcess) => p.lines().map((l) => JSON.parse(l) as Report);
const evaluated = (p: StartedProcess, n: number, timeoutMs = 20_000) =>
  p.waitForLine(() => reports(p).filter((r) => r.evaluation).length >= n, timeoutMs);

describe.skipIf(!hasPrometheus())('guard against a real Prometheus', () => {
  beforeAll(async () => {
    service = await startTestService({ errorRatio: 0.5, unhealthy: true, name: 'svc' });
    prometheus = await startPrometheus({ jobs: [{ job: 'svc', targets: [service.target] }] });
    stopTraffic = startTraffic(service.url);
    await prometheus.waitForTargetsUp();
    // Two scrapes with traffic in between, so rate() has something to say.
    await waitFor(
      async () =>
        (await prometheus.query('sum(rate(threader_http_requests_total[5s])) > 0')).length ? true : undefined,
      {
        what: 'a request rate in prometheus',
        timeoutMs: 20_000,
        intervalMs: 250,
      },
    );
  });

  afterAll(async () => {
    stopTraffic?.();
    await prometheus?.stop();
    await stopAll();
  });

  it('stays locked while the service is bad, and releases after 3 healthy evaluations once it recovers', async () => {
    const cfg = config('main', {});
    const check = await runThreader(['guard', 'check', '--json', ...args(cfg, 'main.guard')]);
    expect(check.code).toBe(1);
    const checked = JSON.parse(check.stdout) as NonNullable<Report['evaluation']>;
    expect(checked.results.map((r) => [r.slo, r.outcome])).toEqual([
      ['http_5xx_ratio', 'Failed'],
      ['health_check_success_ratio', 'Failed'],
      ['error_log_ratio', 'Failed'],
    ]);
    expect(checked.results[0]?.value).toBeGreaterThan(0.2);

    expect(
      (await runThreader(['guard', 'lock', '2s', '--reason', 'rollback of svc', ...args(cfg, 'main.guard')]))
        .code,
    ).toBe(0);
    const watch = spawnThreader([
      'guard',
      'watch',
      '--json',
      '--exit-when-unlocked',
      ...args(cfg, 'main.guard'),
    ]);

    // Bad for a while, past the minimum duration: still locked.
    await watch.waitForLine(() => reports(watch).some((r) => r.phase === 'awaiting_slo'), 20_000);
    await evaluated(watch, reports(watch).length + 2);
    expect(reports(watch).every((r) => r.evaluation?.healthy === false && r.locked)).toBe(true);
    expect((await runThreader(['guard', 'status', ...args(cfg, 'main.guard')])).code).toBe(1);

    const recoveredAt = Date.now();
    await service.setState({ errorRatio: 0, healthy: true });
    const exit = await watch.exited;
    expect(exit.code).toBe(0);

    const all = reports(watch);
    const last = all.at(-1) as Report;
    expect(last).toMatchObject({ released: true, locked: false });
    // Released on the third healthy evaluation in a row, after at least one made AFTER the recovery
    // that still saw errors in its window: the guard waits for the window, not for the switch.
    expect(all.slice(-3).map((r) => r.evaluation?.healthy)).toEqual([true, true, true]);
    expect(all.some((r) => Date.parse(r.at) > recoveredAt && r.evaluation?.healthy === false)).toBe(true);
    expect(Date.now() - recoveredAt).toBeGreaterThan(3_000);
    const status = await runThreader(['guard', 'status', ...args(cfg, 'main.guard')]);
    expect(status.code).toBe(0);
  });

  it('stays locked when the series is empty (no data fails closed)', async () => {
    const cfg = config('empty', { scope: { job: 'no-such-job' } });
    await runThreader(['guard', 'lock', '1s', '--reason', 'empty', ...args(cfg, 'empty.guard')]);
    const watch = spawnThreader([
      'guard',
      'watch',
      '--json',
      '--interval',
      '300ms',
      ...args(cfg, 'empty.guard'),
    ]);
    await evaluated(watch, 6);
    await watch.stop();
    const seen = reports(watch).filter((r) => r.evaluation);
    expect(seen.every((r) => r.locked && !r.released)).toBe(true);
    expect(seen[0]?.evaluation?.results.map((r) => r.message)).toEqual([
      'no data (policy: fail)',
      'no data (policy: fail)',
      'no data (policy: fail)',
    ]);
    expect((await runThreader(['guard', 'status', ...args(cfg, 'empty.guard')])).code).toBe(1);
  });

  it('stays locked when Prometheus is stopped', async () => {
    const cfg = config('down', {});
    // Healthy service, so only the missing Prometheus can keep it locked.
    await service.setState({ errorRatio: 0, healthy: true });
    await runThreader(['guard', 'lock', '1s', '--reason', 'prometheus down', ...args(cfg, 'down.guard')]);
    await prometheus.stop();
    const watch = spawnThreader([
      'guard',
      'watch',
      '--json',
      '--interval',
      '300ms',
      ...args(cfg, 'down.guard'),
    ]);
    await evaluated(watch, 5);
    await watch.stop();
    const seen = reports(watch).filter((r) => r.evaluation);
    expect(seen.every((r) => r.locked && !r.released)).toBe(true);
    expect(seen.flatMap((r) => r.evaluation?.results.map((x) => x.outcome))).toEqual(
      Array(seen.length * 3).fill('Error'),
    );
    expect(seen[0]?.evaluation?.results[0]?.message).toMatch(
      /provider error: cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+\/ \(ECONNREFUSED\)/,
    );
    expect((await runThreader(['guard', 'status', ...args(cfg, 'down.guard')])).code).toBe(1);
  });
});
