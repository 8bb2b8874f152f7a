import { retry, RetryExhaustedError } from '../retry/retry.js';
import { policies, type RetryPolicy } from '../retry/policy.js';
import { isRetryableDriverError } from './drivers/errors.js';
import type { InstanceDriver } from './drivers/types.js';
import type { TrafficRouter } from '../traffic/types.js';
import type { MetricProvider } from '../metrics/types.js';
import { runAnalysis, scopeToInstances, type AnalysisOutcome } from './analysis-run.js';
import { StepFailedError } from './executor-errors.js';
import type { ExecutorControls } from './executor-controls.js';
import { upstreamFor } from './executor-fleet.js';
import type { Probe } from './executor-types.js';
import { healthGate } from './health-probe.js';
import { watchHealth } from './health-watch.js';
import type { DeployEvent, EnvironmentSpec, InstanceSpec, Step } from './types.js';

/** What one step needs; `versions` is updated in place as instances start and stop. */
export interface StepContext {
  deployId: string;
  index: number;
  env: EnvironmentSpec;
  driver: InstanceDriver;
  router: TrafficRouter;
  provider?: MetricProvider;
  /** A provider that measures only these instances (the direct scrape); absent: `provider` + query scope. */
  providerFor?: (instances: InstanceSpec[]) => MetricProvider;
  /** The deploy's new version: analyses measure the instances running it. */
  toVersion: string;
  probe: Probe;
  controls: ExecutorControls;
  now: () => number;
  retryPolicy?: RetryPolicy;
  versions: Record<string, string>;
  emit: (event: DeployEvent) => Promise<void>;
}

export interface StepResult {
  detail?: string;
  /** An analysis came back Inconclusive: a human decides (DESIGN.md, Argo semantics). */
  inconclusive?: AnalysisOutcome;
}

function instancesOf(env: EnvironmentSpec, names: string[]): InstanceSpec[] {
  return names.map((n) => {
    const found = env.instances.find((i) => i.name === n);
    if (!found)
      throw new StepFailedError(`the plan names instance "${n}", which is not in ${env.name}`, false);
    return found;
  });
}

/**
 * Driver commands may flake (ssh, systemctl): retried with the deployStep policy — the only retry
 * level for them (the ssh runner does not retry), so a policy of N attempts means N commands.
 * Permanent failures (a refused host key, a bad template, a missing command) fail at once.
 */
async function withRetry(ctx: StepContext, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    // No abort signal for the command itself: a start killed half-way could leave a process
    // without its pid file; driver commands are short and bounded by their own timeouts.
    await retry(fn, {
      policy: ctx.retryPolicy ?? policies.deployStep,
      retryable: isRetryableDriverError,
      signal: ctx.controls.signal,
      now: ctx.now,
      sleep: (ms) => ctx.controls.sleep(ms),
    });
  } catch (err) {
    if (ctx.controls.signal.aborted) throw ctx.controls.signal.reason;
    const last = err instanceof RetryExhaustedError ? err.lastError : err;
    const attempts =
      err instanceof RetryExhaustedError
        ? err.reason === 'not_retryable'
          ? ' (not retried: retrying cannot fix it)'
          : ` after ${err.attempts} attempt(s)`
        : '';
    throw new StepFailedError(`${what} failed${attempts}: ${(last as Error).message ?? String(last)}`, false);
  }
}

async function setWeights(
  ctx: StepContext,
  weights: Record<string, number>,
  percent: { requestedPercent?: number; effectivePercent?: number },
): Promise<string> {
  let changed: boolean;
  try {
    changed = (await ctx.router.apply(upstreamFor(ctx.env, weights))).changed;
  } catch (err) {
    throw new StepFailedError(`traffic change failed: ${(err as Error).message}`, false);
  }
  await ctx.emit({
    type: 'weights-set',
    deployId: ctx.deployId,
    weights,
    ...percent,
    versions: { ...ctx.versions },
  });
  const shown = Object.entries(weights)
    .map(([n, w]) => `${n}=${w}`)
    .join(' ');
  return `${changed ? 'applied' : 'unchanged'}: ${shown || '(empty)'}`;
}

/**
 * A health check over HTTP cannot tell who answered: an old process the driver lost track of may
 * hold the port while the one just started died on EADDRINUSE (review R2 #4). So a passed gate is
 * confirmed with the driver: what it started still runs, on the version the plan put there.
 */
async function confirmRunning(instances: InstanceSpec[], ctx: StepContext): Promise<void> {
  const problems: string[] = [];
  await Promise.all(
    instances.map(async (i) => {
      let state: Awaited<ReturnType<InstanceDriver['state']>> | undefined;
      await withRetry(ctx, `reading the state of ${i.name}`, async () => {
        state = await ctx.driver.state(i, ctx.env.run, { signal: ctx.controls.signal });
      });
      const expected = ctx.versions[i.name];
      const where = `${i.host}:${i.port}`;
      if (!state?.running)
        problems.push(
          `${i.name}: ${where} answers its health check, but what the ${ctx.driver.kind} driver started there is not running (another process holds the port?)`,
        );
      else if (expected !== undefined && state.version !== undefined && state.version !== expected)
        problems.push(
          `${i.name}: the ${ctx.driver.kind} driver reports ${state.version} running, not ${expected}`,
        );
    }),
  );
  if (problems.length) throw new StepFailedError(problems.join('; '), true);
}

/** Runs one plan step other than pause and approve (those are the executor's own: they wait for people). */
export async function runStep(step: Step, ctx: StepContext): Promise<StepResult> {
  switch (step.kind) {
    case 'start': {
      await Promise.all(
        instancesOf(ctx.env, step.instances).map((i) =>
          withRetry(ctx, `starting ${i.name} on ${step.version}`, () =>
            ctx.driver.start(i, step.version, ctx.env.run),
          ),
        ),
      );
      step.instances.forEach((n) => (ctx.versions[n] = step.version));
      return { detail: `started ${step.instances.join(', ')} on ${step.version}` };
    }
    case 'stop': {
      await Promise.all(
        instancesOf(ctx.env, step.instances).map((i) =>
          // A stop cut short is harmless (the revert stops it again), unlike a start without its pid file.
          withRetry(ctx, `stopping ${i.name}`, () =>
            ctx.driver.stop(i, ctx.env.run, { signal: ctx.controls.signal }),
          ),
        ),
      );
      step.instances.forEach((n) => delete ctx.versions[n]);
      return { detail: `stopped ${step.instances.join(', ')}` };
    }
    case 'drain':
      await ctx.controls.sleep(step.delay);
      return { detail: `drained ${step.instances.join(', ')} for ${step.delay} ms` };
    case 'set-weight':
      return { detail: await setWeights(ctx, step.weights, step) };
    case 'switch':
      return { detail: `switched to ${step.to}; ${await setWeights(ctx, step.weights, {})}` };
    case 'health-gate': {
      const results = await Promise.all(
        instancesOf(ctx.env, step.instances).map((i) =>
          healthGate(i, ctx.env.healthCheck, {
            probe: ctx.probe,
            now: ctx.now,
            sleep: (ms) => ctx.controls.sleep(ms),
            signal: ctx.controls.signal,
          }),
        ),
      );
      const failed = results.filter((r) => !r.passed);
      if (failed.length > 0) throw new StepFailedError(failed.map((r) => r.message).join('; '), true);
      await confirmRunning(instancesOf(ctx.env, step.instances), ctx);
      return { detail: `healthy: ${step.instances.join(', ')}` };
    }
    case 'analyse':
      return analyse(step, ctx);
    case 'pause':
    case 'approve':
      throw new Error(`${step.kind} steps are run by the executor`);
  }
}

/**
 * The instances an analysis measures: those running the new version — the canary, or the new
 * colour — as Argo measures the canary rather than the fleet. None (an analysis before anything
 * started): the environment's own scope.
 */
export function analysedInstances(ctx: Pick<StepContext, 'env' | 'versions' | 'toVersion'>): InstanceSpec[] {
  return ctx.env.instances.filter((i) => ctx.versions[i.name] === ctx.toVersion);
}

async function analyse(step: Extract<Step, { kind: 'analyse' }>, ctx: StepContext): Promise<StepResult> {
  const env = ctx.env.analysis;
  if (!env) throw new StepFailedError(`the plan has an analysis but ${ctx.env.name} has no analysis:`, false);
  const measured = analysedInstances(ctx);
  const scoped = measured.length > 0 ? ctx.providerFor?.(measured) : undefined;
  // A scoped direct scrape reads only these instances, and series read straight from /metrics
  // carry no `instance` label (Prometheus adds it when it scrapes): narrowing them matches nothing.
  const spec =
    measured.length > 0 && !scoped
      ? { ...env, checks: scopeToInstances(env.checks, measured, env.instanceLabel) }
      : env;
  const provider = scoped ?? ctx.provider;
  if (!provider) throw new StepFailedError('no metric provider for the analysis', false);
  // The deployer is the health checker while it analyses (health-watch.ts): stopped
  // when the analysis ends, fails, or the deploy is aborted or its lease lost.
  const watch = watchHealth(
    measured.length > 0 ? measured : ctx.env.instances.filter((i) => ctx.versions[i.name] !== undefined),
    ctx.env.healthCheck,
    {
      probe: ctx.probe,
      now: ctx.now,
      sleep: (ms, signal) => ctx.controls.sleep(ms, signal),
      signal: ctx.controls.signal,
    },
  );
  let result: AnalysisOutcome;
  try {
    result = await runAnalysis(spec, step, {
      provider,
      now: ctx.now,
      sleep: (ms) => ctx.controls.sleep(ms),
      signal: ctx.controls.signal,
    });
  } finally {
    await watch.stop();
  }
  await ctx.emit({
    type: 'analysis',
    deployId: ctx.deployId,
    index: ctx.index,
    outcome: result.outcome,
    judgements: result.deciding.length > 0 ? result.deciding : result.judgements.slice(-spec.checks.length),
    ...(measured.length > 0 ? { instances: measured.map((i) => i.name) } : {}),
  });
  const lines = result.deciding.map((j) => `${j.check}: ${j.message}${j.query ? ` [${j.query}]` : ''}`);
  if (result.outcome === 'Failed' || result.outcome === 'Error') {
    throw new StepFailedError(
      `analysis "${step.label}" ${result.outcome}: ${lines.join('; ')}`,
      true,
      result.deciding,
      result.outcome,
    );
  }
  if (result.outcome === 'Inconclusive') return { inconclusive: result, detail: lines.join('; ') };
  return {
    detail: `analysis "${step.label}" Successful after ${result.judgements.length / Math.max(1, spec.checks.length)} measurement(s)`,
  };
}
