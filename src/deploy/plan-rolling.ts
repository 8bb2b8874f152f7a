import { ValidationError } from '../errors.js';
import {
  batchSteps,
  chunk,
  currentVersion,
  finishPlan,
  fullWeights,
  sameWeights,
  type PlanOptions,
} from './plan-common.js';
import { resolveIntOrPercent, resolveSurge, rollingBatchSize } from './surge.js';
import type { EnvironmentSpec, FleetState, Plan, Step } from './types.js';

/** Rolling and canary plans send traffic to every instance; a blue/green fleet keeps one colour idle. */
export function refuseColours(env: EnvironmentSpec, strategy: string): void {
  if (env.instances.some((i) => i.colour))
    throw new ValidationError(
      [
        {
          field: `environments.${env.name}.instances`,
          problem: `instances have colours: deploy them with blue-green, not ${strategy}`,
        },
      ],
      'deploy plan',
    );
}

/**
 * Rolling update (docs/deploy.md "Rolling on fixed slots"): the instances not yet on `toVersion`,
 * in config order, in batches of maxUnavailable resolved over the whole fleet (surge.ts). Every
 * instance ends in nginx at weight 1.
 */
export function planRolling(
  env: EnvironmentSpec,
  fleet: FleetState,
  toVersion: string,
  opts: PlanOptions = {},
): Plan {
  refuseColours(env, 'rolling');
  const names = env.instances.map((i) => i.name);
  const todo = names.filter((n) => fleet.versions[n] !== toVersion);
  const resolved = resolveSurge(
    names.length,
    env.strategy.rolling.maxSurge,
    env.strategy.rolling.maxUnavailable,
  );
  const size = rollingBatchSize(resolved, todo.length);
  const batches = chunk(todo, size);
  const notes: string[] = [];
  if (resolved.unavailable === 0 && todo.length > 0)
    notes.push(
      `maxUnavailable resolves to 0 of ${names.length}: fixed slots have no room for maxSurge's extra process, so one instance at a time is out of service (as Kubernetes does when both resolve to 0)`,
    );
  const rolled = batchSteps(fleet, {
    batches,
    versionOf: () => toVersion,
    weightAfter: () => 1,
    drainDelay: env.strategy.rolling.drainDelay,
  });
  // On fixed slots there is no surge capacity: a batch holding every serving instance is an outage.
  // Only a maxUnavailable written to allow the whole fleet out (1 of 1, "100%") accepts it; the
  // Kubernetes rule "both 0 → unavailable 1" does not (review R2 #7).
  if (
    rolled.emptiesUpstream &&
    resolveIntOrPercent(env.strategy.rolling.maxUnavailable, names.length, 'down') < names.length
  )
    throw new ValidationError(
      [
        {
          field: `environments.${env.name}.strategy.rolling.maxUnavailable`,
          problem: `a rolling update of ${names.length} instance(s) in batches of ${size} would take every serving instance out of service at once (fixed slots have no surge capacity): add instances, deploy blue-green, or accept the outage with maxUnavailable: ${names.length}`,
        },
      ],
      'deploy plan',
    );
  const steps: Step[] = [...rolled.steps];
  const final = fullWeights(names);
  if (!sameWeights(rolled.fleet.weights, final)) steps.push({ kind: 'set-weight', weights: final });
  return finishPlan(
    env,
    {
      env: env.name,
      strategy: 'rolling',
      fromVersion: currentVersion(fleet, names),
      toVersion,
      steps,
      rolling: { ...resolved, batches },
    },
    fleet,
    { ...opts, notes: [...notes, ...rolled.notes] },
  );
}
