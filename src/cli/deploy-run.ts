import { hostname } from 'node:os';
import { loadDeploySpec } from '../deploy/spec.js';
import {
  createDriver,
  createProvider,
  createScopedProvider,
  createRouter,
  environment,
  guardContext,
  openStore,
} from '../deploy/compose.js';
import { planning } from '../deploy/compose-plan.js';
import { DeployExecutor } from '../deploy/executor.js';
import type { ExecutorStore } from '../deploy/executor-types.js';
import { progressPrinter } from '../deploy/progress.js';
import { currentActor } from '../guard/paths.js';
import { systemClock } from '../clock.js';
import type { GuardContext } from '../guard/guard.js';
import type { DeployRecord, DeploySpec, EnvironmentSpec, FleetState } from '../deploy/types.js';

/** What every deploy command shares: the spec, one environment, the store, who acts. */
export interface DeploySession {
  configPath: string;
  spec: DeploySpec;
  env: EnvironmentSpec;
  store: ExecutorStore;
  guard: GuardContext;
  actor: string;
  host: string;
}

export interface SessionFlags {
  config: string;
  env: string;
  stateDb?: string;
  by?: string;
}

export async function openSession(flags: SessionFlags): Promise<DeploySession> {
  const spec = await loadDeploySpec(flags.config);
  const env = environment(spec, flags.env);
  const store = await openStore(spec, flags.stateDb);
  const actor = flags.by || currentActor(process.env);
  return {
    configPath: flags.config,
    spec,
    env,
    store,
    guard: guardContext(env, actor, process.env),
    actor,
    host: hostname(),
  };
}

/** The fleet before a deploy: what the last succeeded deploy of the environment left. */
export async function fleetBefore(s: DeploySession): Promise<FleetState> {
  return planning.fleet(s.env, await s.store.lastSucceeded(s.env.name));
}

/**
 * Runs (or resumes) a deploy record to its end in this process, printing progress on stderr (or
 * nothing with --json), and turns Ctrl-C / SIGTERM into an abort request so traffic goes back to
 * stable instead of being left half-way. Exit code: 0 succeeded, 1 anything else.
 */
export async function driveDeploy(
  s: DeploySession,
  record: DeployRecord,
  fleet: FleetState,
  opts: { json: boolean },
): Promise<number> {
  const executor = new DeployExecutor({
    store: s.store,
    driver: createDriver(s.env),
    router: createRouter(s.env),
    provider: createProvider(s.env),
    providerFor: createScopedProvider(s.env),
    env: s.env,
    clock: systemClock,
    guard: s.guard,
    planRevert: (plan, failedAt, before) => planning.revert(s.env, plan, failedAt, before),
    fleetBefore: fleet,
    configPath: s.configPath,
    owner: { pid: process.pid, host: s.host },
  });
  if (!opts.json)
    executor.onEvent(
      progressPrinter((l) => process.stderr.write(l), record.plan, ` --config ${s.configPath}`),
    );
  const onSignal = (sig: string) => {
    void s.store.requestControl(record.id, { action: 'abort', by: `${s.actor} (${sig})` }, Date.now());
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The system clock's timers are unref'd (background loops must not hold a CLI open); a deploy
  // waiting on one (a health probe interval, an analysis) must.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    const done = await executor.run(record.id);
    if (opts.json) process.stdout.write(`${JSON.stringify(recordJson(done))}\n`);
    return done.status === 'succeeded' ? 0 : 1;
  } finally {
    clearInterval(keepAlive);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A deploy record for `--json` output (the plan's steps are summarised by count). */
export function recordJson(r: DeployRecord): Record<string, unknown> {
  const { plan, ...rest } = r;
  return {
    ...rest,
    steps: plan.steps.length,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
    finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt).toISOString(),
  };
}
