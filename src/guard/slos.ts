import type { GuardConfig } from '../config/guard.js';
import { BUILTIN_SLOS, SLO_NAMES } from '../metrics/conventions.js';
import type { MetricCheck } from '../metrics/types.js';

/**
 * The guard's checks: the three built-in SLOs with the config's overrides, then custom SLOs, all
 * scoped to the configured target labels. Validation (custom SLOs complete) is the schema's job.
 */
export function guardChecks(config: Pick<GuardConfig, 'slos' | 'scope'>): MetricCheck[] {
  const names = [
    ...SLO_NAMES,
    ...Object.keys(config.slos).filter((n) => !(SLO_NAMES as readonly string[]).includes(n)),
  ];
  const checks: MetricCheck[] = [];
  for (const name of names) {
    const override = config.slos[name];
    if (override?.enabled === false) continue;
    const builtin = (BUILTIN_SLOS as Record<string, Omit<MetricCheck, 'name'>>)[name];
    const { enabled: _enabled, ...fields } = override ?? { enabled: true };
    // Custom SLOs fail on no data too unless they say otherwise; a hand-written query replaces the derived one.
    const merged = { noData: 'fail', ...builtin, ...dropUndefined(fields) } as Omit<MetricCheck, 'name'>;
    checks.push({ ...merged, name, scope: config.scope });
  }
  return checks;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
