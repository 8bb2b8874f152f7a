import type { IntOrPercent } from './types.js';

/**
 * Kubernetes' rolling-update fencepost rules (DESIGN.md "Rolling math", protocol): a percentage of
 * N replicas rounds UP for maxSurge and DOWN for maxUnavailable; when both resolve to 0,
 * maxUnavailable becomes 1 so the rollout can progress. Absolute values are taken as written.
 * (Both written as 0 is rejected by the spec schema, as Kubernetes' validation does.)
 */
export const DEFAULT_MAX_SURGE: IntOrPercent = '25%';
export const DEFAULT_MAX_UNAVAILABLE: IntOrPercent = '25%';

export interface ResolvedSurge {
  surge: number;
  unavailable: number;
}

/** `pct × n` rounded up or down; integers pass through. Guards against 0.07 × 100 = 7.000000000000001. */
export function resolveIntOrPercent(value: IntOrPercent, n: number, round: 'up' | 'down'): number {
  if (typeof value === 'number') return value;
  const exact = (Number(value.slice(0, -1)) * n) / 100;
  const cleaned = Math.round(exact * 1e9) / 1e9;
  return round === 'up' ? Math.ceil(cleaned) : Math.floor(cleaned);
}

export function resolveSurge(
  n: number,
  maxSurge: IntOrPercent = DEFAULT_MAX_SURGE,
  maxUnavailable: IntOrPercent = DEFAULT_MAX_UNAVAILABLE,
): ResolvedSurge {
  const surge = resolveIntOrPercent(maxSurge, n, 'up');
  let unavailable = resolveIntOrPercent(maxUnavailable, n, 'down');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/**
 * How many instances one rolling batch takes out of service on fixed VM slots (docs/deploy.md
 * "Rolling on fixed slots"): a slot runs one process, so the extra capacity maxSurge grants on
 * Kubernetes does not exist here. The batch is maxUnavailable; when that rounds to 0 but maxSurge
 * allows one more process, the nearest honest equivalent is one slot out at a time (otherwise the
 * rollout could never progress). Never more than the instances to update.
 */
export function rollingBatchSize(resolved: ResolvedSurge, toUpdate: number): number {
  const size = resolved.unavailable > 0 ? resolved.unavailable : 1;
  return Math.max(1, Math.min(size, toUpdate));
}
