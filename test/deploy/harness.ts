import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startNginx, type TestNginx } from '../helpers/nginx.js';
import { startPrometheus, type PrometheusHandle } from '../helpers/prometheus.js';
import {
  freePort,
  runThreader,
  spawnThreader,
  waitFor,
  type RunResult,
  type StartedProcess,
} from '../helpers/process.js';

/**
 * One fleet for the end-to-end deploy scenarios: real nginx in front of test-service instances
 * started by the process driver, a real Prometheus scraping them (or none: the direct scrape), a
 * deploy config in a temp dir, and a steady request load through nginx that counts every failed
 * request. A version whose name contains "bad" answers 20 % of app requests with 503. Nothing but
 * the deployer calls the instances' /healthz (open-source nginx has no active health checks): the
 * health-check SLO of every analysis measures the deployer's own probes.
 */

/** Requests through nginx per second: a 10 % canary gets enough within the analysis window. */
const LOAD_EVERY_MS = 10;

export interface SteadyLoad {
  /** Answers that were not 2xx (except the bad canary's own 503s) and requests with no answer. */
  failed(): number;
  /** What the failures were (status and version, or the error), for assertion messages. */
  failures(): string[];
  /** Requests that got an answer or gave up, failed or not. */
  completed(): number;
  /** Resolves once every request sent so far has completed: await it before reading failed(). */
  settle(): Promise<void>;
  stop(): void;
}

/**
 * A request every `everyMs` (LOAD_EVERY_MS) through nginx. Every non-2xx answer counts as failed except a 503
 * from a version named "bad" (the bad canary's own errors, which its analysis must catch, are not
 * the rollout's fault); no answer within 3 s counts as failed too.
 */
export function steadyLoad(url: string, everyMs = LOAD_EVERY_MS): SteadyLoad {
  const inFlight = new Set<Promise<void>>();
  const failures: string[] = [];
  let completed = 0;
  const send = () => {
    const request = fetch(`${url}/`, { signal: AbortSignal.timeout(3_000) })
      .then(async (r) => {
        await r.arrayBuffer();
        const version = r.headers.get('x-version') ?? 'no version';
        const ok = r.status >= 200 && r.status < 300;
        if (!ok && !(r.status === 503 && /bad/.test(version))) failures.push(`${r.status} from ${version}`);
      })
      .catch((err: Error) => void failures.push(`no answer: ${err.message}`))
      .finally(() => {
        completed++;
        inFlight.delete(request);
      });
    inFlight.add(request);
  };
  const timer = setInterval(send, everyMs);
  return {
    failed: () => failures.length,
    failures: () => [...failures],
    completed: () => completed,
    settle: async () => {
      await Promise.all([...inFlight]);
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Polls `seen` until it holds, or until `deployer` exits, whichever comes first: bounded by an
 * event, not a guess, so a deploy that failed is reported with its stderr rather than as a timeout.
 * The 2-minute ceiling only catches a deployer that hangs.
 */
export async function untilSeenOrExit(
  seen: () => Promise<true | undefined>,
  deployer: StartedProcess | undefined,
  what: string,
): Promise<true | { exited: string }> {
  let exited: string | undefined;
  void deployer?.exited.then((e) => {
    exited = `the deploy exited (${e.code ?? e.signal}) before ${what}:\n${deployer.stderr()}`;
  });
  return waitFor<true | { exited: string }>(
    async () => {
      if (await seen().catch(() => undefined)) return true;
      return exited === undefined ? undefined : { exited };
    },
    { timeoutMs: 120_000, intervalMs: 100, what },
  );
}

async function sampleVersions(url: string, n: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) });
    await r.arrayBuffer();
    const v = r.headers.get('x-version') ?? `status ${r.status}`;
    seen[v] = (seen[v] ?? 0) + 1;
  }
  return seen;
}

/**
 * Resolves once Prometheus has every target in its scrape pool. Its discovery manager hands new
 * targets to the scrape manager at most every 5 s, so for the first seconds after start it scrapes
 * nothing: a canary measured then has no samples at all ("no data"), however long it has run.
 */
async function scrapePoolReady(prometheus: PrometheusHandle, targets: number): Promise<void> {
  await waitFor(
    async () => {
      const res = await fetch(`${prometheus.url}/api/v1/targets?state=active`);
      const body = (await res.json()) as { data: { activeTargets: unknown[] } };
      return body.data.activeTargets.length >= targets ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `${targets} target(s) in prometheus's scrape pool` },
  );
}

const service = new URL('../fixtures/test-service.mjs', import.meta.url).pathname;

export interface Fleet {
  dir: string;
  config: string;
  guardFile: string;
  nginx: TestNginx;
  /** Absent with `provider: 'scrape'`. */
  prometheus?: PrometheusHandle;
  names: string[];
  ports: number[];
  /** The process driver's pid of an instance now (undefined when it has none). */
  pidOf(name: string): number | undefined;
  deploy(args: string[]): Promise<RunResult>;
  spawnDeploy(args: string[]): ReturnType<typeof spawnThreader>;
  /** Versions answering through nginx over `n` requests. */
  sample(n: number): Promise<Record<string, number>>;
  /**
   * Resolves once nginx answers only with `version`; rejects at once, with its stderr, if
   * `deployer` exits first (so a failed deploy is reported as such, not as a timeout).
   */
  servingOnly(version: string, deployer?: StartedProcess): Promise<void>;
  load: SteadyLoad;
  stop(): Promise<void>;
}

export async function startFleet(opts: {
  instances: number;
  strategy: Record<string, unknown>;
  /** Blue-green: the first half of the instances blue, the rest green. */
  coloured?: boolean;
  /** Overrides of the analysis section (interval, count…). */
  analysis?: Record<string, unknown>;
  /** `scrape`: analyses read the instances' /metrics directly, and no Prometheus runs. */
  provider?: 'prometheus' | 'scrape';
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
  const prometheus =
    opts.provider === 'scrape'
      ? undefined
      : await startPrometheus({ jobs: [{ job: 'svc', targets: ports.map((p) => `127.0.0.1:${p}`) }] });
  if (prometheus) await scrapePoolReady(prometheus, ports.length);
  const provider = prometheus
    ? { provider: { type: 'prometheus', url: prometheus.url, timeout: '2s' }, scope: { job: 'svc' } }
    : { provider: { type: 'scrape', timeout: '2s' } };
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
          // Generous: node starts slowly on a loaded 2-core runner; a healthy instance passes in < 1 s.
          deadline: '45s',
        },
        traffic: nginx.trafficSpec,
        strategy: opts.strategy,
        analysis: {
          ...provider,
          slos: {
            http_5xx_ratio: { threshold: 0.01 },
            error_log_ratio: { enabled: false },
          },
          // Prometheus scrapes every 1 s (a 900 ms timeout): a window of 4 scrapes, and a first
          // measurement one 3 s interval after the canary takes traffic (it started before its health
          // gate), so a restarted canary has been scraped at least twice even when a scrape is late.
          window: '4s',
          interval: '3s',
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
  const load = steadyLoad(nginx.url);
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
    sample: (n) => sampleVersions(nginx.url, n),
    load,
    servingOnly: async (version, deployer) => {
      const state = await untilSeenOrExit(
        async () => ((await sampleVersions(nginx.url, 4))[version] === 4 ? true : undefined),
        deployer,
        `nginx serving ${version} only`,
      );
      if (state !== true) throw new Error(state.exited);
    },
    stop: async () => {
      load.stop();
      await runThreader(['status', '--config', config]).catch(() => undefined);
      await Promise.all([nginx.stop(), prometheus?.stop()]);
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
