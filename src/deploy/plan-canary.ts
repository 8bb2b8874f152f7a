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
import { refuseColours } from './plan-rolling.js';
import { canaryCapacityProblem, selectCanaries } from './spec-checks.js';
import { resolveSurge, rollingBatchSize } from './surge.js';
import type { EnvironmentSpec, FleetState, Plan, Step } from './types.js';
import { canaryWeights } from './weights.js';

/**
 * Canary (Argo Rollouts' step list on nginx weights): the canary instances leave nginx, are
 * replaced and health-gated, then follow strategy.canary.steps — each setWeight becomes integer
 * nginx weights with the effective share — and promotion rolls the stable instances like a
 * rolling update. The canaries carry no traffic until the first setWeight, as in Argo.
 */
export function planCanary(
  env: EnvironmentSpec,
  fleet: FleetState,
  toVersion: string,
  opts: PlanOptions = {},
): Plan {
  refuseColours(env, 'canary');
  const problem = (problem: string) =>
    new ValidationError([{ field: `environments.${env.name}.strategy.canary`, problem }], 'deploy plan');
  const names = env.instances.map((i) => i.name);
  const canaries = selectCanaries(env).map((i) => i.name);
  const stable = names.filter((n) => !canaries.includes(n));
  if (canaries.length === 0) throw problem('the canary selector (instances, tags) matches no instance');
  if (stable.length === 0) throw problem('the canary selector matches every instance');
  const capacity = canaryCapacityProblem(env, canaries.length);
  if (capacity) throw problem(capacity);

  const final = fullWeights(names);
  const done = names.every((n) => fleet.versions[n] === toVersion) && sameWeights(fleet.weights, final);
  const steps: Step[] = [];
  const notes: string[] = [];
  let state = fleet;
  if (!done) {
    const drainDelay = env.strategy.canary.drainDelay;
    const prepare = batchSteps(state, {
      batches: [canaries],
      versionOf: () => toVersion,
      weightAfter: () => undefined,
      drainDelay,
    });
    steps.push(...prepare.steps);
    state = prepare.fleet;
    let at = 0;
    for (const s of env.strategy.canary.steps) {
      if ('setWeight' in s) {
        const w = canaryWeights(s.setWeight, canaries.length, stable.length);
        const weights: Record<string, number> = {};
        if (w.canary > 0) for (const c of canaries) weights[c] = w.canary;
        if (w.stable > 0) for (const n of stable) weights[n] = w.stable;
        steps.push({
          kind: 'set-weight',
          weights,
          requestedPercent: s.setWeight,
          effectivePercent: w.effectivePercent,
        });
        state = { ...state, weights };
        at = w.effectivePercent;
      } else if ('pause' in s) {
        steps.push({
          kind: 'pause',
          ...(s.pause.duration !== undefined ? { duration: s.pause.duration } : {}),
          reason: `canary at ${at}%`,
        });
      } else {
        const a = env.analysis;
        if (!a) throw problem("an analysis step needs the environment's analysis: section");
        steps.push({
          kind: 'analyse',
          count: s.analysis.count ?? a.count,
          interval: s.analysis.interval ?? a.interval,
          label: `canary at ${at}%`,
        });
      }
    }
    // Promotion: everything at equal weight, then the stable instances roll like a rolling update.
    const equal = Object.fromEntries(
      [...canaries, ...stable.filter((n) => (state.weights[n] ?? 0) > 0)].map((n) => [n, 1]),
    );
    if (!sameWeights(state.weights, equal)) {
      steps.push({
        kind: 'set-weight',
        weights: equal,
        effectivePercent: Math.round((10_000 * canaries.length) / Object.keys(equal).length) / 100,
      });
      state = { ...state, weights: equal };
    }
    const todo = stable.filter((n) => state.versions[n] !== toVersion);
    const resolved = resolveSurge(
      names.length,
      env.strategy.rolling.maxSurge,
      env.strategy.rolling.maxUnavailable,
    );
    const promote = batchSteps(state, {
      batches: chunk(todo, rollingBatchSize(resolved, todo.length)),
      versionOf: () => toVersion,
      weightAfter: () => 1,
      drainDelay: env.strategy.rolling.drainDelay,
      firstBatch: 2,
    });
    steps.push(...promote.steps);
    notes.push(...prepare.notes, ...promote.notes);
    if (!sameWeights(promote.fleet.weights, final)) steps.push({ kind: 'set-weight', weights: final });
  }
  return finishPlan(
    env,
    { env: env.name, strategy: 'canary', fromVersion: currentVersion(fleet, stable), toVersion, steps },
    fleet,
    { ...opts, notes },
  );
}
