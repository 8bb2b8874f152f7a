import { hostname } from 'node:os';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import type { GuardContext } from '../guard/guard.js';
import { LockFile } from '../guard/lock-file.js';
import { resolveLockFile, type Env } from '../guard/paths.js';
import { createPrometheusProvider } from '../metrics/prometheus-provider.js';
import { createScrapeProvider } from '../metrics/scrape-provider.js';
import type { MetricProvider } from '../metrics/types.js';
import { openDeployStore } from '../store/deploy-sqlite.js';
import { createNginxRouter } from '../traffic/nginx-router.js';
import type { TrafficRouter } from '../traffic/types.js';
import { createDriver as driverFromSpec } from './drivers/create-driver.js';
import type { InstanceDriver } from './drivers/types.js';
import { DEFAULT_GUARD_RELEASE, type ExecutorStore, type GuardRelease } from './executor-types.js';
import { probeUrl } from './health-probe.js';
import type { DeploySpec, EnvironmentSpec, InstanceSpec } from './types.js';

/**
 * The composition of a deploy: which driver, router, metric provider, store and guard lock file a
 * deploy spec's environment gets. Implementations are listed here, not discovered (DESIGN.md).
 */

export function createDriver(env: EnvironmentSpec): InstanceDriver {
  return driverFromSpec(env.driver);
}

export function createRouter(env: EnvironmentSpec): TrafficRouter {
  return createNginxRouter({ spec: env.traffic });
}

/** The analysis provider; the scrape provider reads every instance's /metrics directly. */
export function createProvider(env: EnvironmentSpec): MetricProvider | undefined {
  const a = env.analysis;
  if (!a) return undefined;
  if (a.provider.type === 'prometheus')
    return createPrometheusProvider({ url: a.provider.url, timeoutMs: a.provider.timeout });
  return scrapeOf(env.instances, a.provider.timeout);
}

function scrapeOf(instances: InstanceSpec[], timeoutMs: number): MetricProvider {
  return createScrapeProvider({ targets: instances.map((i) => probeUrl(i, '/metrics')), timeoutMs });
}

/**
 * For the direct scrape, whose targets are its scope: one provider per set of instances (a
 * canary, a colour), kept for the deploy so successive measurements compare against earlier
 * scrapes. Prometheus needs none: the executor narrows its queries by instance label.
 */
export function createScopedProvider(
  env: EnvironmentSpec,
): ((instances: InstanceSpec[]) => MetricProvider) | undefined {
  const a = env.analysis;
  if (a?.provider.type !== 'scrape') return undefined;
  const timeout = a.provider.timeout;
  const made = new Map<string, MetricProvider>();
  return (instances) => {
    const key = instances.map((i) => i.name).join('\n');
    let p = made.get(key);
    if (!p) made.set(key, (p = scrapeOf(instances, timeout)));
    return p;
  };
}

export interface DeployGuard {
  ctx: GuardContext;
  release: GuardRelease;
  /** The threader.yaml the settings came from, if any. */
  source?: string;
}

/**
 * The guard window a deploy checks before it starts and locks after an automatic rollback. With
 * a guard config — the environment's `guard.config`, else $THREADER_CONFIG, the file `threader
 * guard` reads — its lock file and release criteria apply, so the deploy locks the very lock
 * `threader guard watch` releases, on the same terms. Without one: the default lock file and
 * DEFAULT_GUARD_RELEASE. The environment's own `guard.lockFile` wins over the config's.
 */
export async function deployGuard(
  env: EnvironmentSpec,
  actor: string,
  processEnv: Env,
): Promise<DeployGuard> {
  const source = env.guard.config ?? (processEnv.THREADER_CONFIG || undefined);
  const config = source ? (await loadConfig({ configPath: source, env: processEnv })).guard : undefined;
  const file = new LockFile(
    resolveLockFile({ env: processEnv, config: env.guard.lockFile ?? config?.lockFile }),
  );
  const r = config?.release;
  const release: GuardRelease = r
    ? {
        mode: r.mode,
        healthyEvaluations: r.healthyEvaluations,
        ...(r.maxLockDuration !== undefined ? { maxLockDurationMs: r.maxLockDuration } : {}),
      }
    : DEFAULT_GUARD_RELEASE;
  return {
    ctx: { file, now: Date.now, actor, host: hostname() },
    release,
    ...(source ? { source } : {}),
  };
}

export function environment(spec: DeploySpec, name: string): EnvironmentSpec {
  const env = spec.environments[name];
  if (!env)
    throw new ConfigError(
      `no environment "${name}" in the deploy config (it has: ${Object.keys(spec.environments).join(', ')})`,
    );
  return env;
}

/** --state-db, else the spec's stateDb (loadDeploySpec defaults it beside the config). */
export function openStore(spec: DeploySpec, flag?: string): Promise<ExecutorStore> {
  const path = flag ?? spec.stateDb;
  if (!path) throw new ConfigError('no state database: set stateDb in the deploy config or pass --state-db');
  return openDeployStore(path);
}
