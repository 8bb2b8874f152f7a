import type { InstanceDriver } from './drivers/types.js';
import type { TrafficRouter } from '../traffic/types.js';
import type { Colour, DeployRecord, EnvironmentSpec, FleetState } from './types.js';

/**
 * The fleet as it is, not as the records say it should be. Records describe the fleet only while
 * every deploy ends cleanly: after a failed revert an instance may still run the new version, or
 * nothing at all, and planning from the last succeeded deploy would say "nothing to do" (review
 * R2 #8). So then — or when asked (`--observe`) — each instance's driver state and nginx's managed
 * upstream are read instead.
 */

/** Why the fleet must be observed rather than read from the records (pure); undefined: records will do. */
export function observationReason(newest: DeployRecord | null, asked: boolean): string | undefined {
  if (asked) return 'asked for with --observe';
  if (newest?.status === 'failed')
    return `the last deploy (${newest.id}, ${newest.fromVersion ?? 'nothing'} → ${newest.toVersion}) failed, so the records may not describe the fleet`;
  return undefined;
}

/**
 * Reads every instance's state through its driver and the upstream through the router. A running
 * instance whose version the driver cannot tell counts as not running, so a plan replaces it.
 */
export async function observeFleet(
  env: Pick<EnvironmentSpec, 'instances' | 'run'>,
  driver: InstanceDriver,
  router: TrafficRouter,
): Promise<FleetState> {
  const states = await Promise.all(env.instances.map((i) => driver.state(i, env.run)));
  const versions: Record<string, string> = {};
  env.instances.forEach((i, n) => {
    const s = states[n];
    if (s?.running && s.version !== undefined) versions[i.name] = s.version;
  });
  const known = new Set(env.instances.map((i) => i.name));
  const weights = Object.fromEntries(
    (await router.current()).filter((s) => known.has(s.name) && s.weight > 0).map((s) => [s.name, s.weight]),
  );
  const colours = new Set(env.instances.filter((i) => (weights[i.name] ?? 0) > 0).map((i) => i.colour));
  const [only] = [...colours];
  const activeColour: Colour | undefined = colours.size === 1 && only ? only : undefined;
  return { versions, weights, ...(activeColour ? { activeColour } : {}) };
}
