import { checkVersion } from './drivers/names.js';
import { planBlueGreen } from './plan-blue-green.js';
import { planCanary } from './plan-canary.js';
import type { PlanOptions } from './plan-common.js';
import { planRolling } from './plan-rolling.js';
import type { EnvironmentSpec, FleetState, Plan } from './types.js';

export { planRevert } from './plan-revert.js';
export { applySteps, EMPTY_FLEET, type PlanOptions } from './plan-common.js';
export { planBlueGreen, planCanary, planRolling };

/** The plan for deploying `toVersion` to an environment whose fleet is `fleet`, by strategy. */
export function planDeploy(
  env: EnvironmentSpec,
  fleet: FleetState,
  toVersion: string,
  opts: PlanOptions = {},
): Plan {
  // Before any record exists: a version the drivers refuse would otherwise fail at the first start (review R2 #11).
  checkVersion(toVersion);
  const strategy = opts.strategy ?? env.strategy.default;
  if (strategy === 'canary' && Object.keys(fleet.versions).length === 0) {
    // No stable version runs, so there is nothing to compare a canary with and no traffic to
    // protect: like Argo Rollouts' initial deploy, the canary steps are skipped.
    const plan = planRolling(env, fleet, toVersion, opts);
    const note = 'initial deploy: nothing runs yet, so the canary steps are skipped (as Argo Rollouts does)';
    return { ...plan, notes: [note, ...(plan.notes ?? [])] };
  }
  if (strategy === 'canary') return planCanary(env, fleet, toVersion, opts);
  if (strategy === 'blue-green') return planBlueGreen(env, fleet, toVersion, opts);
  return planRolling(env, fleet, toVersion, opts);
}

/**
 * A rollback to a known-good version is a deploy of its own (its own audited record), on the fast
 * path: no analyses, no pauses, no approval unless asked. A blue/green fleet switches colours
 * (instant when the idle colour still runs that version: start + health gate are then no-ops for
 * the driver's sake only); any other fleet rolls back like a rolling update.
 */
export function planRollback(
  env: EnvironmentSpec,
  fleet: FleetState,
  toVersion: string,
  opts: PlanOptions = {},
): Plan {
  checkVersion(toVersion);
  const approval = opts.approval ?? false;
  if (env.instances.some((i) => i.colour))
    return planBlueGreen(env, fleet, toVersion, { approval, skipAnalysis: true });
  return planRolling(env, fleet, toVersion, { approval });
}
