import { applySteps, batchSteps, chunk, sameWeights, without } from './plan-common.js';
import { selectCanaries } from './spec-checks.js';
import { resolveSurge, rollingBatchSize } from './surge.js';
import type { EnvironmentSpec, FleetState, Plan, Step } from './types.js';

/**
 * What undoes a deploy that failed at step `failedAt` (steps before it ran; the failed one may
 * have half-run, so it counts as run). The aim is `fleetBefore` exactly — every instance back on
 * the version it ran, nginx on the weights it had — so the last succeeded deploy still describes
 * the fleet afterwards. Order:
 *
 * 1. Traffic first (canary, blue-green; Argo's abort): nginx only on instances still running their
 *    old version — a switch back to the old colour, or all canary traffic to stable. A rolling
 *    deploy skips this (its new-version instances passed their gates and pulling them all out would
 *    shrink capacity below maxUnavailable); it restores in batches instead. So does a canary whose
 *    promotion has begun (a stable instance already changed): its canaries and promoted instances
 *    carry equal shares of the traffic, and pulling them all out at once could leave one instance
 *    serving everything (review R2 #1).
 * 2. Instances changed and out of nginx are restarted on their old version at once (no capacity
 *    to lose), health-gated.
 * 3. Changed instances still in nginx roll back in batches (rolling only).
 * 4. The weights of `fleetBefore` (one switch for blue-green).
 * 5. Instances that were not running before leave nginx, are drained and stopped.
 *
 * The serving set never shrinks below N − maxUnavailable on the revert's account, and an upstream
 * that would end empty (a failed first deploy) is left alone: nginx refuses an upstream without
 * servers, and the instances behind it are stopped anyway.
 *
 * No analysis or pause: the fast path. Every step is idempotent, so a crashed revert can rerun.
 */
export function planRevert(
  env: EnvironmentSpec,
  plan: Plan,
  failedAt: number,
  fleetBefore: FleetState,
): Step[] {
  const now = applySteps(fleetBefore, plan.steps.slice(0, failedAt + 1));
  const before = fleetBefore;
  const names = env.instances.map((i) => i.name);
  const changed = names.filter((n) => now.versions[n] !== before.versions[n]);
  const restore = changed.filter((n) => before.versions[n] !== undefined);
  const retire = changed.filter((n) => before.versions[n] === undefined && now.versions[n] !== undefined);
  const drainDelay = {
    canary: env.strategy.canary.drainDelay,
    'blue-green': env.strategy.blueGreen.drainDelay,
    rolling: env.strategy.rolling.drainDelay,
  }[plan.strategy];
  const steps: Step[] = [];
  let weights = { ...now.weights };
  const setWeights = (next: Record<string, number>, switchTo?: FleetState['activeColour']) => {
    if (sameWeights(weights, next)) return;
    if (!Object.values(next).some((w) => w > 0)) return;
    const leaving = Object.keys(weights).filter((n) => (weights[n] ?? 0) > 0 && !((next[n] ?? 0) > 0));
    steps.push(
      switchTo ? { kind: 'switch', to: switchTo, weights: next } : { kind: 'set-weight', weights: next },
    );
    weights = { ...next };
    // A switch too: requests in flight on the colour leaving must finish before it stops.
    if (leaving.length) steps.push({ kind: 'drain', instances: leaving, delay: drainDelay });
  };

  const canaries = new Set(plan.strategy === 'canary' ? selectCanaries(env).map((i) => i.name) : []);
  const promoting = plan.strategy === 'canary' && changed.some((n) => !canaries.has(n));
  if (plan.strategy !== 'rolling' && !promoting) {
    const good = Object.fromEntries(
      Object.entries(before.weights).filter(
        ([n, w]) => w > 0 && !changed.includes(n) && now.versions[n] !== undefined,
      ),
    );
    if (Object.keys(good).length) {
      const colourBack =
        before.activeColour && before.activeColour !== now.activeColour ? before.activeColour : undefined;
      setWeights(good, colourBack);
    }
  } else {
    // Instances taken out of nginx but not yet replaced (a drain, a merged set-weight that failed)
    // go back before any changed one leaves, so a batch never takes the serving set below N − maxUnavailable.
    const idle = names.filter(
      (n) =>
        !changed.includes(n) &&
        now.versions[n] !== undefined &&
        (before.weights[n] ?? 0) > 0 &&
        !((weights[n] ?? 0) > 0),
    );
    if (idle.length)
      setWeights({ ...weights, ...Object.fromEntries(idle.map((n) => [n, before.weights[n] as number])) });
  }

  const outOfNginx = restore.filter((n) => !((weights[n] ?? 0) > 0));
  const inNginx = restore.filter((n) => (weights[n] ?? 0) > 0);
  const versionOf = (n: string) => before.versions[n] as string;
  let fleet: FleetState = { ...now, weights };
  if (outOfNginx.length) {
    const r = batchSteps(fleet, {
      batches: [outOfNginx],
      versionOf,
      weightAfter: () => undefined,
      drainDelay,
    });
    steps.push(...r.steps);
    fleet = r.fleet;
    // Blue-green switches in one reload at step 4; everyone else gets the capacity back now.
    if (plan.strategy !== 'blue-green') {
      const back = outOfNginx.filter((n) => (before.weights[n] ?? 0) > 0);
      if (back.length)
        setWeights({ ...weights, ...Object.fromEntries(back.map((n) => [n, before.weights[n] as number])) });
    }
  }
  if (inNginx.length) {
    const resolved = resolveSurge(
      names.length,
      env.strategy.rolling.maxSurge,
      env.strategy.rolling.maxUnavailable,
    );
    const r = batchSteps(
      { ...fleet, weights },
      {
        batches: chunk(inNginx, rollingBatchSize(resolved, inNginx.length)),
        versionOf,
        weightAfter: (n) => before.weights[n],
        drainDelay,
      },
    );
    steps.push(...r.steps);
    weights = r.fleet.weights;
  }

  const finalWeights = without(before.weights, retire);
  setWeights(
    finalWeights,
    before.activeColour && before.activeColour !== applySteps(now, steps).activeColour
      ? before.activeColour
      : undefined,
  );
  if (retire.length) {
    const serving = retire.filter((n) => (weights[n] ?? 0) > 0);
    if (serving.length) setWeights(without(weights, serving));
    steps.push({ kind: 'stop', instances: retire });
  }
  return steps;
}
