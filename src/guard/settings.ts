import { guardConfigSchema, type GuardConfig } from '../config/guard.js';
import { readConfigFile, zodProblems } from '../config/load.js';
import { UsageError, ValidationError } from '../errors.js';
import { createPrometheusProvider } from '../metrics/prometheus-provider.js';
import { createScrapeProvider } from '../metrics/scrape-provider.js';
import type { MetricProvider } from '../metrics/types.js';
import type { Env } from './paths.js';

/**
 * The `guard:` section of a threader.yaml, read on its own. Interim: once the root schema holds
 * the guard section, `loadConfig()` supplies the same object and this goes away.
 */
export async function loadGuardConfig(configPath: string | undefined): Promise<GuardConfig> {
  const raw = configPath ? await readConfigFile(configPath) : {};
  const parsed = guardConfigSchema.safeParse(raw.guard ?? {});
  if (!parsed.success) {
    const problems = zodProblems(parsed.error).map((p) => ({
      ...p,
      field: p.field ? `guard.${p.field}` : 'guard',
    }));
    throw new ValidationError(problems, `config${configPath ? ` ${configPath}` : ''}`);
  }
  return parsed.data;
}

/** --prometheus-url / PROMETHEUS_URL override the configured provider. */
export function createGuardProvider(
  config: GuardConfig,
  opts: { prometheusUrl?: string; env: Env },
): MetricProvider {
  const url = opts.prometheusUrl || opts.env.PROMETHEUS_URL;
  if (url) {
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--prometheus-url: "${url}" is not a URL`);
    }
    const timeoutMs = config.provider?.type === 'prometheus' ? config.provider.timeout : undefined;
    return createPrometheusProvider({ url, timeoutMs });
  }
  const p = config.provider;
  if (!p)
    throw new UsageError(
      'no metric provider: set guard.provider in the config, --prometheus-url or PROMETHEUS_URL',
    );
  if (p.type === 'prometheus') return createPrometheusProvider({ url: p.url, timeoutMs: p.timeout });
  return createScrapeProvider({ targets: p.targets, timeoutMs: p.timeout, warmupMs: p.warmup });
}
