import { randomBytes } from 'node:crypto';
import { ConflictError, UsageError } from '../errors.js';
import { guardStatus, type GuardContext } from '../guard/guard.js';
import { DeployRefusedError } from './executor-errors.js';
import { DEFAULT_HEARTBEAT_MS, STALE_HEARTBEATS, type ExecutorStore } from './executor-types.js';
import type { DeployRecord, FleetState, Plan } from './types.js';

export interface Liveness {
  alive: boolean;
  /** Why it counts as gone, for the refusal message. */
  why?: string;
}

/**
 * Whether a deploy's executor still runs: on this host its pid must exist; anywhere its heartbeat
 * must be fresher than STALE_HEARTBEATS intervals. Pure, so the rule has a table test.
 */
export function ownerLiveness(
  owner: DeployRecord['owner'],
  now: number,
  here: { host: string; pidAlive: (pid: number) => boolean },
  heartbeatMs = DEFAULT_HEARTBEAT_MS,
): Liveness {
  if (!owner) return { alive: false, why: 'it has no executor' };
  if (owner.host === here.host && !here.pidAlive(owner.pid))
    return { alive: false, why: `its executor (pid ${owner.pid} on ${owner.host}) is gone` };
  const age = now - owner.heartbeatAt;
  if (age > STALE_HEARTBEATS * heartbeatMs)
    return {
      alive: false,
      why: `its executor (pid ${owner.pid} on ${owner.host}) last reported ${Math.round(age / 1000)} s ago`,
    };
  return { alive: true };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The refusal for a busy environment: who holds it, since when, and what to do about it. */
export function holderMessage(holder: DeployRecord, liveness: Liveness, configPath: string): string {
  const what = `deploy ${holder.id} (${holder.strategy} ${holder.fromVersion ?? 'nothing'} → ${holder.toVersion}) by ${holder.by} since ${iso(holder.createdAt)} holds ${holder.env} (${holder.status})`;
  if (liveness.alive)
    return `${what}; wait for it, or stop it with \`threader abort ${holder.id} --config ${configPath}\``;
  return `${what}, but ${liveness.why}: take it over with \`threader deploy --resume ${holder.id} --config ${configPath}\` or abort it with \`threader abort ${holder.id} --config ${configPath}\``;
}

export function newDeployId(now: number): string {
  const stamp = iso(now)
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `d-${stamp}-${randomBytes(3).toString('hex')}`;
}

export interface CreateRequest {
  service: string;
  plan: Plan;
  by: string;
  reason?: string;
  /** Start although the guard is locked; needs `reason`, which is recorded. */
  force?: boolean;
  rollbackOf?: string;
  /** `threader rollback` made it (DeployRecord.rollback). */
  rollback?: boolean;
  /** The fleet the plan was made from: kept on the record for a resumed executor's revert. */
  fleetBefore?: FleetState;
  configPath: string;
}

export interface StartDeps {
  store: ExecutorStore;
  guard: GuardContext;
  now: () => number;
  host: string;
  pidAlive?: (pid: number) => boolean;
  /** This process (tests give two resumers different pids). */
  pid?: number;
}

/**
 * Everything that must hold before a deploy starts: the guard window open (or overridden with a
 * reason, recorded on the record), no other deploy holding the environment. The store's create()
 * takes the environment lock atomically, so two racing deploys cannot both pass.
 */
export async function createDeploy(req: CreateRequest, deps: StartDeps): Promise<DeployRecord> {
  if (req.force && !req.reason?.trim()) throw new UsageError('--force needs --reason TEXT (it is recorded)');
  const env = req.plan.env;
  const holder = await deps.store.active(env);
  if (holder) {
    const live = ownerLiveness(holder.owner, deps.now(), {
      host: deps.host,
      pidAlive: deps.pidAlive ?? pidAlive,
    });
    throw new DeployRefusedError(`refused: ${holderMessage(holder, live, req.configPath)}`);
  }
  const guard = await guardStatus(deps.guard);
  let override: string | undefined;
  if (guard.locked) {
    const lock = guard.lock;
    const what = guard.corrupt
      ? `the guard lock file cannot be read (${guard.corrupt}), which counts as locked`
      : `the guard window is locked: "${lock?.reason}" (by ${lock?.by} at ${lock?.lockedAt}, minimum until ${lock?.until})`;
    if (!req.force)
      throw new DeployRefusedError(
        `refused: ${what}; deploys wait until it is released (\`THREADER_GUARD_FILE=${deps.guard.file.path} threader guard status\`), or override with --force --reason TEXT`,
      );
    override = `guard override by ${req.by}: ${req.reason} (lock: ${lock?.reason ?? guard.corrupt})`;
  }
  const now = deps.now();
  const record: DeployRecord = {
    id: newDeployId(now),
    env,
    service: req.service,
    strategy: req.plan.strategy,
    fromVersion: req.plan.fromVersion,
    toVersion: req.plan.toVersion,
    by: req.by,
    ...(override ? { reason: override } : req.reason ? { reason: req.reason } : {}),
    ...(req.rollbackOf ? { rollbackOf: req.rollbackOf } : {}),
    ...(req.rollback ? { rollback: true } : {}),
    ...(req.fleetBefore ? { fleetBefore: req.fleetBefore } : {}),
    status: 'running',
    plan: req.plan,
    stepIndex: 0,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    owner: { pid: deps.pid ?? process.pid, host: deps.host, heartbeatAt: now },
  };
  try {
    await deps.store.create(record);
  } catch (err) {
    if (err instanceof ConflictError) throw new DeployRefusedError(`refused: ${err.message}`);
    throw err;
  }
  return record;
}

/**
 * `threader deploy --resume ID`: take over a deploy whose executor is gone. A live executor is
 * never displaced (two executors would fight over nginx), and the lease is taken with the store's
 * compare-and-set on the owner we judged gone: of two resumers racing for one orphan, one wins and
 * the other is refused, naming the winner.
 */
export async function takeOver(id: string, deps: StartDeps, configPath: string): Promise<DeployRecord> {
  const record = await deps.store.get(id);
  if (!record) throw new UsageError(`no deploy ${id}`);
  if (['succeeded', 'failed', 'rolled-back', 'aborted'].includes(record.status))
    throw new DeployRefusedError(`refused: deploy ${id} is already ${record.status}`);
  const me = { pid: deps.pid ?? process.pid, host: deps.host };
  const live = ownerLiveness(record.owner, deps.now(), {
    host: deps.host,
    pidAlive: deps.pidAlive ?? pidAlive,
  });
  if (live.alive && !(record.owner?.pid === me.pid && record.owner.host === me.host))
    throw new DeployRefusedError(
      `refused: deploy ${id} is still driven by pid ${record.owner?.pid} on ${record.owner?.host}; ` +
        `use \`threader pause|resume|abort ${id} --config ${configPath}\``,
    );
  const claimed = await deps.store.claimOwner(id, { ...me, heartbeatAt: deps.now() }, record.owner ?? null);
  if (!claimed) {
    const now = (await deps.store.get(id))?.owner;
    const who = now ? `pid ${now.pid} on ${now.host}` : 'another process';
    throw new DeployRefusedError(
      `refused: deploy ${id} was just taken over by ${who}; ` +
        `see \`threader status --config ${configPath}\``,
    );
  }
  return claimed;
}
