import { ValidationError } from '../errors.js';
import { currentVersion, finishPlan, fullWeights, sameWeights, type PlanOptions } from './plan-common.js';
import type { Colour, EnvironmentSpec, FleetState, Plan, Step } from './types.js';

export const other = (c: Colour): Colour => (c === 'blue' ? 'green' : 'blue');

/** The colour nginx sends traffic to: recorded, else the colour of the instances in the upstream. */
export function activeColour(env: EnvironmentSpec, fleet: FleetState): Colour | undefined {
  if (fleet.activeColour) return fleet.activeColour;
  const serving = env.instances.filter((i) => (fleet.weights[i.name] ?? 0) > 0 && i.colour);
  return serving[0]?.colour;
}

export function colourNames(env: EnvironmentSpec, colour: Colour): string[] {
  return env.instances.filter((i) => i.colour === colour).map((i) => i.name);
}

export interface BlueGreenOptions extends PlanOptions {
  /** The rollback fast path: no analyses, no manual promotion. */
  skipAnalysis?: boolean;
}

/**
 * Blue-green (Argo's blueGreen strategy on nginx): the idle colour starts on the new version and
 * is health-gated (optionally analysed and approved) while the active one serves; one set of
 * weights switches nginx in a single reload; the old colour, out of nginx, is drained for
 * blueGreen.drainDelay; after an optional post-promotion analysis it keeps running for
 * scaleDownDelay, so switching back is one more reload, then stops.
 * A first deploy (nothing active) goes to blue.
 */
export function planBlueGreen(
  env: EnvironmentSpec,
  fleet: FleetState,
  toVersion: string,
  opts: BlueGreenOptions = {},
): Plan {
  for (const c of ['blue', 'green'] as const)
    if (colourNames(env, c).length === 0)
      throw new ValidationError(
        [
          {
            field: `environments.${env.name}.instances`,
            problem: `blue-green needs at least one instance with colour: ${c}`,
          },
        ],
        'deploy plan',
      );
  const active = activeColour(env, fleet);
  const live = active ? colourNames(env, active) : [];
  const bg = env.strategy.blueGreen;
  const analysis = env.analysis;
  const steps: Step[] = [];
  const upToDate =
    active !== undefined &&
    live.every((n) => fleet.versions[n] === toVersion) &&
    sameWeights(fleet.weights, fullWeights(live));
  if (!upToDate) {
    const target = active ? other(active) : 'blue';
    const idle = colourNames(env, target);
    const analyse = (when: 'pre' | 'post'): void => {
      if (!analysis || opts.skipAnalysis) return;
      steps.push({
        kind: 'analyse',
        count: analysis.count,
        interval: analysis.interval,
        label: `${when}-promotion (${target})`,
      });
    };
    // The idle colour should carry no traffic; if it does (a half-finished switch), it leaves nginx
    // and is drained before anything restarts it.
    const strays = idle.filter((n) => (fleet.weights[n] ?? 0) > 0);
    if (strays.length) {
      steps.push({ kind: 'set-weight', weights: fullWeights(live.length ? live : []) });
      steps.push({ kind: 'drain', instances: strays, delay: bg.drainDelay });
    }
    // Still running the version (a switch back within the scale-down delay): no restart needed.
    if (!idle.every((n) => fleet.versions[n] === toVersion))
      steps.push({ kind: 'start', instances: idle, version: toVersion });
    steps.push({ kind: 'health-gate', instances: idle });
    if (bg.prePromotionAnalysis) analyse('pre');
    if (bg.manualPromotion && !opts.skipAnalysis)
      steps.push({ kind: 'approve', reason: `switch ${env.name} to ${target} (${toVersion})` });
    steps.push({ kind: 'switch', to: target, weights: fullWeights(idle) });
    // Requests in flight on the old colour finish before anything can stop it, whatever the
    // scale-down delay (it may be 0).
    const leaving = live.filter((n) => (fleet.weights[n] ?? 0) > 0);
    if (leaving.length) steps.push({ kind: 'drain', instances: leaving, delay: bg.drainDelay });
    if (bg.postPromotionAnalysis) analyse('post');
    const old = live.filter((n) => fleet.versions[n] !== undefined);
    if (old.length) {
      if (bg.scaleDownDelay > 0)
        steps.push({
          kind: 'pause',
          duration: bg.scaleDownDelay,
          reason: `scale-down delay: ${active} keeps running for an instant switch back`,
        });
      steps.push({ kind: 'stop', instances: old });
    }
  }
  return finishPlan(
    env,
    { env: env.name, strategy: 'blue-green', fromVersion: currentVersion(fleet, live), toVersion, steps },
    fleet,
    opts,
  );
}
