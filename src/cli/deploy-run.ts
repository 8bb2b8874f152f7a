import { hostname } from 'node:os';
import { loadDeploySpec } from '../deploy/spec.js';
import {
  createDriver,
  createProvider,
  createScopedProvider,
  createRouter,
  environment,
  deployGuard,
  openStore,
} from '../deploy/compose.js';
import { planning } from '../deploy/compose-plan.js';
import { observationReason, observeFleet } from '../deploy/fleet-observe.js';
import { DeployExecutor } from '../deploy/executor.js';
import type { ExecutorStore, GuardRelease } from '../deploy/executor-types.js';
import { progressPrinter } from '../deploy/progress.js';
import { currentActor } from '../guard/paths.js';
import { systemClock } from '../clock.js';
import type { GuardContext } from '../guard/guard.js';
import type { DeployRecord, DeploySpec, EnvironmentSpec, FleetState } from '../deploy/types.js';
import { ownerLiveness, pidAlive } from '../deploy/executor-start.js';
import { DeployRefusedError } from '../deploy/executor-errors.js';
import { recordJson } from './record-json.js';
import { FINAL_STATUSES } from '../store/deploy-types.js';
import type { NarrationPlan } from '../notify/deploy-slack.js';

/** What every deploy command shares: the spec, one environment, the store, who acts. */
export interface DeploySession {
  configPath: string;
  spec: DeploySpec;
  env: EnvironmentSpec;
  store: ExecutorStore;
  guard: GuardContext;
  /** How the lock after an automatic rollback is released (the guard config's, else the default). */
  guardRelease: GuardRelease;
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
  const guard = await deployGuard(env, actor, process.env);
  return {
    configPath: flags.config,
    spec,
    env,
    store,
    guard: guard.ctx,
    guardRelease: guard.release,
    actor,
    host: hostname(),
  };
}

/** The fleet before a deploy: what the last succeeded deploy of the environment left. */
export async function fleetBefore(s: DeploySession): Promise<FleetState> {
  return planning.fleet(s.env, await s.store.lastSucceeded(s.env.name));
}

/**
 * The fleet a resumed deploy started from, which its revert returns to: kept on the record when it
 * was created (it may have been observed, not read from the records); for older records, the
 * records' account.
 */
export async function resumedFleet(s: DeploySession, record: DeployRecord): Promise<FleetState> {
  return record.fleetBefore ?? fleetBefore(s);
}

/**
 * The fleet a new deploy or rollback plans from: the records' account, or — when the newest
 * deploy failed (its revert did not finish) or `--observe` asks — what the drivers and nginx say
 * now (fleet-observe.ts). `observed` says why, for the terminal and `plan`'s notes.
 */
export async function startingFleet(
  s: DeploySession,
  observe: boolean,
): Promise<{ fleet: FleetState; observed?: string }> {
  const [newest] = await s.store.list({ env: s.env.name, limit: 1 });
  const why = observationReason(newest ?? null, observe);
  if (!why) return { fleet: await fleetBefore(s) };
  return { fleet: await observeFleet(s.env, createDriver(s.env), createRouter(s.env)), observed: why };
}

/**
 * Runs (or resumes) a deploy record to its end in this process, printing progress on stderr (or
 * nothing with --json), narrating it in its Slack thread (notify/; a resume finds the same
 * thread), and turns Ctrl-C / SIGTERM into an abort request so traffic goes back to stable instead
 * of being left half-way. Exit code: 0 succeeded, 1 anything else — never Slack's doing.
 */
export async function driveDeploy(
  s: DeploySession,
  record: DeployRecord,
  fleet: FleetState,
  opts: { json: boolean; slack?: NarrationPlan },
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
    guardRelease: s.guardRelease,
    planRevert: (plan, failedAt, before) => planning.revert(s.env, plan, failedAt, before),
    fleetBefore: fleet,
    configPath: s.configPath,
    owner: { pid: process.pid, host: s.host },
    onControlRefused: (r, why) => {
      if (!opts.json) process.stderr.write(`ignored ${r.action} by ${r.by}: ${why}\n`);
    },
  });
  if (!opts.json)
    executor.onEvent(
      progressPrinter((l) => process.stderr.write(l), record.plan, ` --config ${s.configPath}`),
    );
  // The thread is opened (and its parent queued) before the first step; delivery runs beside the deploy.
  const narration = opts.slack ? await narrate(s, record, opts.slack) : undefined;
  if (narration) executor.onEvent(narration.narrator.listener);
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
    await narration?.close();
  }
}

async function narrate(s: DeploySession, record: DeployRecord, plan: NarrationPlan) {
  const { openNarration } = await import('../notify/deploy-slack.js');
  return openNarration(
    {
      plan,
      env: s.env,
      deploys: s.store,
      guard: s.guard,
      configPath: s.configPath,
      processEnv: process.env,
      say: (l) => void process.stderr.write(l),
    },
    record,
  );
}

/**
 * `threader rollback` while a deploy of the environment is live: ask it to abort (recorded with who
 * and why) and follow it to its end. Its revert is the fast path back to the fleet before it — for
 * blue-green within the scale-down delay, one nginx switch to the old colour, which still runs.
 * Returns the finished record, or null when no live executor holds the environment (an orphan is
 * left to createDeploy's refusal, which says how to take it over).
 */
export async function abortActive(
  s: DeploySession,
  reason: string,
  opts: { pollMs?: number; say?: (line: string) => void } = {},
): Promise<DeployRecord | null> {
  const holder = await s.store.active(s.env.name);
  if (!holder) return null;
  const here = { host: s.host, pidAlive };
  if (!ownerLiveness(holder.owner, Date.now(), here).alive) return null;
  await s.store.requestControl(holder.id, { action: 'abort', by: s.actor, reason }, Date.now());
  opts.say?.(
    `asked deploy ${holder.id} (${holder.fromVersion ?? 'nothing'} → ${holder.toVersion}) to abort; following it\n`,
  );
  for (;;) {
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    const now = await s.store.get(holder.id);
    if (!now || FINAL_STATUSES.includes(now.status)) return now;
    const live = ownerLiveness(now.owner, Date.now(), here);
    if (!live.alive)
      throw new DeployRefusedError(
        `deploy ${holder.id} was asked to abort, but ${live.why}: finish it with \`threader deploy --resume ${holder.id} --config ${s.configPath}\``,
      );
  }
}
