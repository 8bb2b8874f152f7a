import { EMPTY_FLEET } from './plan-common.js';
import type { DeployRecord, EnvironmentSpec, FleetState } from './types.js';

/**
 * Where the fleet stands, from the last deploy of the environment that succeeded (a rollback is a
 * deploy too, and a failed deploy's revert returns the fleet to what that record says). No such
 * deploy: an empty fleet — nothing known to run, nothing in nginx — so the first plan starts
 * everything. Instances no longer in the config are dropped; new ones are simply not running.
 */
export function fleetStateFrom(
  env: Pick<EnvironmentSpec, 'instances'>,
  last: DeployRecord | null,
): FleetState {
  if (!last) return { ...EMPTY_FLEET };
  const names = new Set(env.instances.map((i) => i.name));
  const keep = <T>(o: Record<string, T>) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => names.has(k)));
  const fleet = last.plan.expectedFleet ?? legacyFleet(env, last);
  return {
    versions: keep(fleet.versions),
    weights: keep(fleet.weights),
    ...(fleet.activeColour ? { activeColour: fleet.activeColour } : {}),
  };
}

/** Records written before plans carried expectedFleet: what a finished deploy of that strategy leaves. */
function legacyFleet(env: Pick<EnvironmentSpec, 'instances'>, last: DeployRecord): FleetState {
  const switched = [...last.plan.steps].reverse().find((s) => s.kind === 'switch');
  if (last.strategy === 'blue-green' && switched?.kind === 'switch') {
    const live = env.instances.filter((i) => i.colour === switched.to).map((i) => i.name);
    return {
      versions: Object.fromEntries(live.map((n) => [n, last.toVersion])),
      weights: { ...switched.weights },
      activeColour: switched.to,
    };
  }
  const all = env.instances.map((i) => i.name);
  return {
    versions: Object.fromEntries(all.map((n) => [n, last.toVersion])),
    weights: Object.fromEntries(all.map((n) => [n, 1])),
  };
}
