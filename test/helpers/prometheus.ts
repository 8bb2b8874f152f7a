import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { retry } from '../../src/retry/retry.js';
import { freePort, startProcess, waitFor, type StartedProcess } from './process.js';
import { requireTool, runs } from './require-tool.js';

/**
 * A real Prometheus (Debian's 2.42) for integration tests: loopback only, a temporary data dir,
 * short scrape and evaluation intervals, torn down by stop(). Prometheus cannot listen on port 0
 * and report the port, so a free port is picked first (and picked again if it was taken).
 */

/** Why a real Prometheus cannot start here, or undefined; throws under CI (see requireTool). */
export function prometheusMissing(): string | undefined {
  return requireTool('prometheus', { install: 'prometheus', check: runs('prometheus', '--version') });
}

/** promtool is its own binary (same package): suites that run it probe it, not the server. */
export function promtoolMissing(): string | undefined {
  return requireTool('promtool', { install: 'prometheus', check: runs('promtool', '--version') });
}

/** @deprecated use prometheusMissing() (a reason for the title); like it, throws under CI. */
export function hasPrometheus(): boolean {
  return prometheusMissing() === undefined;
}

export interface ScrapeJob {
  job: string;
  /** host:port of each instance. */
  targets: string[];
  metricsPath?: string;
  labels?: Record<string, string>;
}

export interface PrometheusOptions {
  jobs: ScrapeJob[];
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** Absolute paths of rule files to load. */
  ruleFiles?: string[];
}

export interface PrometheusHandle {
  url: string;
  port: number;
  dataDir: string;
  proc: StartedProcess;
  /** Instant query; resolves with the values of the result vector. */
  query(promql: string): Promise<number[]>;
  /** Resolves once every configured target has been scraped successfully. */
  waitForTargetsUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function configYaml(opts: PrometheusOptions): string {
  return stringify({
    global: {
      scrape_interval: opts.scrapeInterval ?? '1s',
      scrape_timeout: '900ms',
      evaluation_interval: opts.evaluationInterval ?? '1s',
    },
    rule_files: opts.ruleFiles ?? [],
    scrape_configs: opts.jobs.map((j) => ({
      job_name: j.job,
      metrics_path: j.metricsPath ?? '/metrics',
      static_configs: [{ targets: j.targets, labels: j.labels ?? {} }],
    })),
  });
}

async function launch(dir: string): Promise<{ proc: StartedProcess; port: number; url: string }> {
  const port = await freePort();
  const proc = startProcess(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { name: `prometheus :${port}`, cwd: dir },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`prometheus exited: ${proc.stderr().slice(-500)}`);
        const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        return res.ok ? true : undefined;
      },
      { timeoutMs: 20_000, what: `prometheus on ${url}` },
    );
  } catch (err) {
    await proc.stop(1_000);
    throw err;
  }
  return { proc, port, url };
}

export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), configYaml(opts));
  // The free port may be taken between picking and binding; try again with another one.
  const { proc, port, url } = await retry(() => launch(dir), {
    policy: { attempts: 3, baseMs: 100, maxDelayMs: 500, jitter: 'full' },
  });

  const query = async (promql: string): Promise<number[]> => {
    const u = new URL('/api/v1/query', url);
    u.searchParams.set('query', promql);
    const body = (await (await fetch(u)).json()) as {
      status: string;
      data: { resultType: string; result: Array<{ value: [number, string] }> };
    };
    if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
    return body.data.result.map((r) => Number(r.value[1]));
  };

  const expected = opts.jobs.reduce((n, j) => n + j.targets.length, 0);
  return {
    url,
    port,
    dataDir: dir,
    proc,
    query,
    waitForTargetsUp: async (timeoutMs = 20_000) => {
      await waitFor(
        async () => {
          const up = await query('up == 1');
          return up.length >= expected ? true : undefined;
        },
        { timeoutMs, what: `${expected} target(s) up in prometheus`, intervalMs: 250 },
      );
    },
    stop: async () => {
      await proc.stop(5_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
