import { fleetStateFrom } from './fleet-state.js';
import { planDeploy, planRevert, planRollback, type PlanOptions } from './plan.js';
import type { DeployRecord, EnvironmentSpec, FleetState, Plan, Step } from './types.js';

/** The planners a deploy command uses, in one place (the CLI and the benchmark share it). */
export const planning = {
  fleet: (env: EnvironmentSpec, last: DeployRecord | null): FleetState => fleetStateFrom(env, last),
  plan: (env: EnvironmentSpec, fleet: FleetState, toVersion: string, opts: PlanOptions = {}): Plan =>
    planDeploy(env, fleet, toVersion, opts),
  revert: (env: EnvironmentSpec, plan: Plan, failedAt: number, before: FleetState): Step[] =>
    planRevert(env, plan, failedAt, before),
  rollback: (env: EnvironmentSpec, fleet: FleetState, toVersion: string): Plan =>
    planRollback(env, fleet, toVersion),
};
