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
import { resolveSurge, rollingBatchSize } from './surge.js';
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
      `maxUnavailable resolves to 0 of ${names.length}: fixed slots have no room for maxSurge's extra process, so one instance at a time is out of service`,
    );
  const rolled = batchSteps(fleet, {
    batches,
    versionOf: () => toVersion,
    weightAfter: () => 1,
    drainDelay: env.strategy.rolling.drainDelay,
  });
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
