import type { EnvironmentSpec, FleetState, Plan, Step, StrategyName } from './types.js';

/**
 * What every planner shares: the fleet after a list of steps (the planners' own model of what the
 * executor does), rolling batches over fixed slots, and the plan's timing. All pure.
 */

export interface PlanOptions {
  /** Overrides the environment's default strategy. */
  strategy?: StrategyName;
  /** Overrides env.approval.required (a rollback's fast path passes false). */
  approval?: boolean;
}

export const EMPTY_FLEET: FleetState = { versions: {}, weights: {} };

/** The fleet after `steps`: starts and stops change versions, set-weight/switch replace the weights. */
export function applySteps(fleet: FleetState, steps: readonly Step[]): FleetState {
  const versions = { ...fleet.versions };
  let weights = { ...fleet.weights };
  let activeColour = fleet.activeColour;
  for (const s of steps) {
    if (s.kind === 'start') for (const i of s.instances) versions[i] = s.version;
    if (s.kind === 'stop') for (const i of s.instances) delete versions[i];
    if (s.kind === 'set-weight') weights = { ...s.weights };
    if (s.kind === 'switch') {
      weights = { ...s.weights };
      activeColour = s.to;
    }
  }
  return { versions, weights, ...(activeColour ? { activeColour } : {}) };
}

export function sameWeights(a: Record<string, number>, b: Record<string, number>): boolean {
  const ka = Object.keys(a).filter((k) => (a[k] ?? 0) > 0);
  const kb = Object.keys(b).filter((k) => (b[k] ?? 0) > 0);
  return ka.length === kb.length && ka.every((k) => a[k] === b[k]);
}

export function without(weights: Record<string, number>, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(Object.entries(weights).filter(([k, w]) => w > 0 && !names.includes(k)));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface BatchInput {
  batches: string[][];
  /** Version each instance of the batches is started on. */
  versionOf: (name: string) => string;
  /** Weight each instance gets back after its health gate; undefined = stays out of nginx. */
  weightAfter: (name: string) => number | undefined;
  drainDelay: number;
  /** Batch numbers start here (a canary's promotion continues after the canary batch). */
  firstBatch?: number;
}

/**
 * Rolling batches on fixed slots: each batch leaves nginx (one set-weight without it), is drained,
 * stopped, started on its version and health-gated, and only then goes back into nginx. Putting
 * batch k back and taking batch k+1 out is ONE set-weight (one reload): the upstream goes from
 * N − |k| to N − |k+1| servers, never below N − maxUnavailable, and the fleet saves a reload and
 * the moment at full size that bought nothing.
 */
export function batchSteps(
  fleet: FleetState,
  input: BatchInput,
): { steps: Step[]; fleet: FleetState; notes: string[]; emptiesUpstream: boolean } {
  const steps: Step[] = [];
  const notes: string[] = [];
  let emptiesUpstream = false;
  let weights = { ...fleet.weights };
  const versions = { ...fleet.versions };
  /** The previous batch is back in `weights` but no set-weight has said so yet. */
  let backPending = false;
  input.batches.forEach((batch, n) => {
    const b = (input.firstBatch ?? 1) + n;
    const serving = batch.filter((i) => (weights[i] ?? 0) > 0);
    if (serving.length && Object.keys(without(weights, batch)).length === 0) {
      // nginx refuses an upstream without servers, and there is nowhere to drain to: the batch
      // stays listed while it restarts (requests fail meanwhile). Planners refuse this unless
      // maxUnavailable explicitly allows every instance out (review R2 #7).
      emptiesUpstream = true;
      notes.push(`batch ${b} is every serving instance: requests fail until it is back`);
      if (backPending) steps.push({ kind: 'set-weight', weights: { ...weights } });
    } else if (serving.length) {
      weights = without(weights, batch);
      steps.push({ kind: 'set-weight', weights: { ...weights } });
      steps.push({ kind: 'drain', instances: serving, delay: input.drainDelay, batch: b });
    } else if (backPending) steps.push({ kind: 'set-weight', weights: { ...weights } });
    backPending = false;
    const running = batch.filter((i) => versions[i] !== undefined);
    if (running.length) steps.push({ kind: 'stop', instances: running, batch: b });
    const byVersion = new Map<string, string[]>();
    for (const i of batch)
      byVersion.set(input.versionOf(i), [...(byVersion.get(input.versionOf(i)) ?? []), i]);
    for (const [version, instances] of byVersion) {
      steps.push({ kind: 'start', instances, version, batch: b });
      for (const i of instances) versions[i] = version;
    }
    steps.push({ kind: 'health-gate', instances: [...batch], batch: b });
    const back = batch.filter((i) => (input.weightAfter(i) ?? 0) > 0);
    if (back.length) {
      const next = {
        ...weights,
        ...Object.fromEntries(back.map((i) => [i, input.weightAfter(i) as number])),
      };
      if (!sameWeights(weights, next)) backPending = true;
      weights = next;
    }
  });
  if (backPending) steps.push({ kind: 'set-weight', weights: { ...weights } });
  return { steps, fleet: { ...fleet, versions, weights }, notes, emptiesUpstream };
}

/**
 * Mandated waits are what the executor must sit through even when everything is healthy: drains,
 * timed pauses, analyses (count × interval, the first measurement one interval in), and a health
 * gate's (successes − 1) intervals. The worst case adds every gate's deadline, approval timeouts
 * and stop timeouts; a pause without a duration waits for a person and is left out (noted).
 */
export function timing(
  env: EnvironmentSpec,
  steps: readonly Step[],
): { mandatedWaitMs: number; worstCaseMs: number; notes: string[] } {
  let mandated = 0;
  let worst = 0;
  const notes: string[] = [];
  const hc = env.healthCheck;
  const providerTimeout = env.analysis?.provider.timeout ?? 0;
  for (const s of steps) {
    if (s.kind === 'drain') {
      mandated += s.delay;
      worst += s.delay;
    } else if (s.kind === 'pause') {
      if (s.duration === undefined)
        notes.push(`"${s.reason}" waits for \`threader resume\`: not counted in the durations`);
      mandated += s.duration ?? 0;
      worst += s.duration ?? 0;
    } else if (s.kind === 'analyse') {
      mandated += s.count * s.interval;
      worst += s.count * (s.interval + providerTimeout);
    } else if (s.kind === 'health-gate') {
      mandated += (hc.successes - 1) * hc.interval;
      worst += Math.max(hc.deadline, (hc.successes - 1) * hc.interval + hc.timeout);
    } else if (s.kind === 'approve') {
      worst += env.approval.timeout;
    } else if (s.kind === 'stop') {
      worst += env.driver.stopTimeout;
    }
  }
  return { mandatedWaitMs: mandated, worstCaseMs: worst, notes };
}

/** Assembles a Plan: approval first when asked, timing, the fleet it leaves, notes. */
export function finishPlan(
  env: EnvironmentSpec,
  base: Omit<Plan, 'mandatedWaitMs' | 'worstCaseMs' | 'noop' | 'expectedFleet' | 'notes'>,
  fleet: FleetState,
  opts: PlanOptions & { notes?: string[] },
): Plan {
  const noop = base.steps.length === 0;
  const approve = !noop && (opts.approval ?? env.approval.required);
  const steps: Step[] = approve
    ? [{ kind: 'approve', reason: `deploy ${base.toVersion} to ${env.name}` }, ...base.steps]
    : base.steps;
  const t = timing(env, steps);
  const notes = [...(opts.notes ?? []), ...t.notes];
  return {
    ...base,
    steps,
    mandatedWaitMs: t.mandatedWaitMs,
    worstCaseMs: t.worstCaseMs,
    noop,
    expectedFleet: applySteps(fleet, steps),
    ...(notes.length ? { notes } : {}),
  };
}

/** The version most of these instances run (the "stable" one), or null when none runs. */
export function currentVersion(fleet: FleetState, names: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const n of names) {
    const v = fleet.versions[n];
    if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [v, c] of counts) if (best === null || c > (counts.get(best) ?? 0)) best = v;
  return best;
}

export function fullWeights(names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.map((n) => [n, 1]));
}
