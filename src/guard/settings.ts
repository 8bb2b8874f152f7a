import type { GuardConfig } from '../config/guard.js';
import { UsageError } from '../errors.js';
import { createPrometheusProvider } from '../metrics/prometheus-provider.js';
import { createScrapeProvider } from '../metrics/scrape-provider.js';
import type { MetricProvider } from '../metrics/types.js';
import type { Env } from './paths.js';

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
