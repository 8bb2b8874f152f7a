import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startNginx, type TestNginx } from '../helpers/nginx.js';
import { startPrometheus, type PrometheusHandle } from '../helpers/prometheus.js';
import { freePort, runThreader, spawnThreader, type RunResult } from '../helpers/process.js';
import { startTraffic } from '../fixtures/test-service-client.js';

/**
 * One fleet for the end-to-end deploy scenarios: real nginx in front of test-service instances
 * started by the process driver, a real Prometheus scraping them, a deploy config in a temp dir,
 * and a steady request load through nginx that counts every failed request.
 * A version whose name contains "bad" answers 20 % of app requests with 503.
 */

const service = new URL('../fixtures/test-service.mjs', import.meta.url).pathname;

export interface Fleet {
  dir: string;
  config: string;
  guardFile: string;
  nginx: TestNginx;
  prometheus: PrometheusHandle;
  names: string[];
  ports: number[];
  /** The process driver's pid of an instance now (undefined when it has none). */
  pidOf(name: string): number | undefined;
  deploy(args: string[]): Promise<RunResult>;
  spawnDeploy(args: string[]): ReturnType<typeof spawnThreader>;
  /** Versions answering through nginx over `n` requests. */
  sample(n: number): Promise<Record<string, number>>;
  load: { failed(): number; total(): number; stop(): void };
  stop(): Promise<void>;
}

export async function startFleet(opts: {
  instances: number;
  strategy: Record<string, unknown>;
  /** Blue-green: the first half of the instances blue, the rest green. */
  coloured?: boolean;
  /** Overrides of the analysis section (interval, count…). */
  analysis?: Record<string, unknown>;
}): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-e2e-'));
  const wrapper = join(dir, 'run-service.sh');
  writeFileSync(
    wrapper,
    `#!/bin/sh\ncase "$2" in *bad*) r=0.2;; *) r=0;; esac\nexec "${process.execPath}" "${service}" --port "$1" --version-label "$2" --error-ratio "$r" --name "$3"\n`,
  );
  chmodSync(wrapper, 0o755);
  const ports: number[] = [];
  for (let i = 0; i < opts.instances; i++) ports.push(await freePort());
  const names = ports.map((_, i) => `svc-${String.fromCharCode(97 + i)}`);
  const nginx = await startNginx({});
  const prometheus = await startPrometheus({
    jobs: [{ job: 'svc', targets: ports.map((p) => `127.0.0.1:${p}`) }],
  });
  const guardFile = join(dir, 'guard');
  const spec = {
    service: 'svc',
    stateDb: join(dir, 'deploys.db'),
    environments: {
      staging: {
        instances: names.map((name, i) => ({
          name,
          host: '127.0.0.1',
          port: ports[i],
          tags: i === opts.instances - 1 ? ['canary'] : [],
          ...(opts.coloured ? { colour: i < opts.instances / 2 ? 'blue' : 'green' } : {}),
        })),
        driver: { type: 'process', stateDir: join(dir, 'run'), stopTimeout: '2s' },
        run: { command: [wrapper, '{port}', '{version}', '{instance}'], env: {} },
        healthCheck: {
          path: '/healthz',
          expectStatus: 200,
          successes: 2,
          interval: '200ms',
          timeout: '1s',
          deadline: '15s',
        },
        traffic: nginx.trafficSpec,
        strategy: opts.strategy,
        analysis: {
          provider: { type: 'prometheus', url: prometheus.url, timeout: '2s' },
          scope: { job: 'svc' },
          slos: {
            http_5xx_ratio: { threshold: 0.01 },
            error_log_ratio: { enabled: false },
            health_check_success_ratio: { enabled: false },
          },
          window: '3s',
          interval: '2s',
          count: 3,
          failureLimit: 0,
          noData: 'fail',
          ...opts.analysis,
        },
        approval: { required: false },
        guard: { lockFile: guardFile, lockDuration: '10m' },
      },
    },
  };
  const config = join(dir, 'deploy.yaml');
  writeFileSync(config, stringify(spec));
  let total = 0;
  let failed = 0;
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    total++;
    fetch(`${nginx.url}/`, { signal: AbortSignal.timeout(3_000) })
      .then(async (r) => {
        await r.arrayBuffer();
        // A bad canary's own 503s are its fault, not the rollout's: only 502/504 and network errors count.
        if (r.status === 502 || r.status === 504) failed++;
      })
      .catch(() => failed++);
  }, 20);
  const health = startTraffic(nginx.url, { appEveryMs: 1_000_000, healthEveryMs: 200 });
  const env = { ...process.env, THREADER_ACTOR: 'e2e' };
  const pidOf = (name: string) => {
    const pidFile = join(dir, 'run', `${name}.pid`);
    if (!existsSync(pidFile)) return undefined;
    return Number(readFileSync(pidFile, 'utf8').trim()) || undefined;
  };
  return {
    dir,
    config,
    guardFile,
    nginx,
    prometheus,
    names,
    ports,
    pidOf,
    deploy: (args) =>
      runThreader([...args, '--config', config, '--env', 'staging'], { env, timeoutMs: 110_000 }),
    spawnDeploy: (args) => spawnThreader([...args, '--config', config, '--env', 'staging'], { env }),
    sample: async (n) => {
      const seen: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        const r = await fetch(`${nginx.url}/`);
        await r.arrayBuffer();
        const v = r.headers.get('x-version') ?? `status ${r.status}`;
        seen[v] = (seen[v] ?? 0) + 1;
      }
      return seen;
    },
    load: {
      failed: () => failed,
      total: () => total,
      stop: () => {
        stopped = true;
        clearInterval(timer);
        health();
      },
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      health();
      await runThreader(['status', '--config', config]).catch(() => undefined);
      await Promise.all([nginx.stop(), prometheus.stop()]);
      // The instances run in their own process groups (the process driver's pid files say which).
      for (const name of names) {
        const pid = pidOf(name);
        if (pid === undefined) continue;
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Already stopped by the deploy.
        }
      }
    },
  };
}
