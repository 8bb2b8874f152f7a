import { planning } from '../deploy/compose-plan.js';
import { rollbackCommand } from '../deploy/executor-fleet.js';
import { createDeploy, takeOver } from '../deploy/executor-start.js';
import { rollbackTarget } from '../deploy/rollback-target.js';
import type { StrategyName } from '../deploy/types.js';
import { UsageError } from '../errors.js';
import type { DeployFlags, RollbackFlags } from './deploy.js';
import { abortActive, driveDeploy, openSession, resumedFleet, startingFleet } from './deploy-run.js';
import { pickVersion } from './pick-version.js';
import { STRATEGIES } from './plan.js';
import { recordJson } from './record-json.js';
import { narrationPlan, rollbackPlan } from '../notify/deploy-slack.js';

/** `threader deploy`: plans, checks and runs (or resumes) a deploy; sets the exit code. */
export async function runDeploy(positional: string | undefined, flags: DeployFlags): Promise<void> {
  const version = pickVersion(positional, flags);
  if (!flags.resume && !version)
    throw new UsageError('the version is required: threader deploy VERSION (or --version V, or --resume ID)');
  if (flags.strategy && !STRATEGIES.includes(flags.strategy as StrategyName))
    throw new UsageError(`--strategy must be one of ${STRATEGIES.join(', ')}`);
  const slack = narrationPlan(flags, process.env);
  if (slack.warning) process.stderr.write(`threader: ${slack.warning}\n`);
  const s = await openSession(flags);
  try {
    const deps = { store: s.store, guard: s.guard, now: Date.now, host: s.host };
    if (flags.resume) {
      const record = await takeOver(flags.resume, deps, s.configPath);
      if (record.env !== s.env.name)
        throw new UsageError(`deploy ${record.id} belongs to ${record.env}, not ${s.env.name}`);
      process.exitCode = await driveDeploy(s, record, await resumedFleet(s, record), {
        json: !!flags.json,
        slack,
      });
      return;
    }
    const { fleet, observed } = await startingFleet(s, !!flags.observe);
    if (observed && !flags.json)
      process.stderr.write(`fleet observed from the ${s.env.driver.type} driver and nginx: ${observed}\n`);
    const plan = planning.plan(s.env, fleet, version as string, {
      ...(flags.strategy ? { strategy: flags.strategy as StrategyName } : {}),
    });
    if (plan.noop) {
      if (flags.json) process.stdout.write(`${JSON.stringify({ noop: true, env: s.env.name, version })}\n`);
      else process.stderr.write(`nothing to do: every instance of ${s.env.name} already runs ${version}\n`);
      return;
    }
    const record = await createDeploy(
      {
        service: s.spec.service,
        plan,
        by: s.actor,
        reason: flags.reason,
        force: flags.force,
        configPath: s.configPath,
        fleetBefore: fleet,
      },
      deps,
    );
    process.exitCode = await driveDeploy(s, record, fleet, { json: !!flags.json, slack });
  } finally {
    await s.store.close();
  }
}

/** `threader rollback`: aborts a live deploy or rolls back to the previous known-good version. */
export async function runRollback(flags: RollbackFlags): Promise<void> {
  // For pipelines that post the command: quoted here, so no value becomes shell code.
  if (flags.printCommand) {
    process.stdout.write(`${rollbackCommand(flags.config, flags.env, flags.to ?? null)}\n`);
    return;
  }
  const plan = narrationPlan(flags, process.env);
  if (plan.warning) process.stderr.write(`threader: ${plan.warning}\n`);
  const s = await openSession(flags);
  try {
    const say = (l: string) => void (flags.json || process.stderr.write(l));
    const why = flags.reason ?? `rollback${flags.to ? ` to ${flags.to}` : ''}`;
    const aborted = await abortActive(s, why, { say });
    const history = await s.store.list({ env: s.env.name, status: 'succeeded', limit: 1_000 });
    const target = rollbackTarget(history);
    const to = flags.to ?? aborted?.fromVersion ?? target.to ?? undefined;
    if (!to)
      throw new UsageError(
        `no earlier known-good version of ${s.env.name} than ${target.current ?? 'nothing'} (rollbacks and the deploys they undid are skipped): pass --to VERSION`,
      );
    const { fleet, observed } = await startingFleet(s, !!flags.observe);
    if (observed) say(`fleet observed from the ${s.env.driver.type} driver and nginx: ${observed}\n`);
    const steps = planning.rollback(s.env, fleet, to);
    if (steps.noop && aborted) {
      // The aborted deploy's revert already put the fleet back on `to`.
      if (flags.json) process.stdout.write(`${JSON.stringify(recordJson(aborted))}\n`);
      else say(`deploy ${aborted.id} ${aborted.status}: ${s.env.name} runs ${to}\n`);
      process.exitCode = aborted.status === 'aborted' ? 0 : 1;
      return;
    }
    if (steps.noop) {
      // The rollback command a failed deploy prints, run after its automatic revert put the fleet
      // back: already there, so it succeeds — and is not refused by the guard lock that revert took.
      if (flags.json)
        process.stdout.write(`${JSON.stringify({ noop: true, env: s.env.name, version: to })}\n`);
      else say(`nothing to do: every instance of ${s.env.name} already runs ${to}\n`);
      return;
    }
    // Before this rollback's own record is the newest: the deploy it undoes is.
    const [newest] = await s.store.list({ env: s.env.name, limit: 1 });
    // Aborting a live deploy undoes that deploy; else the forward deploy that brought the version.
    const rollbackOf = aborted?.id ?? target.rollbackOf;
    const undoing = target.rollbackOf ? await s.store.get(target.rollbackOf) : null;
    const slack = rollbackPlan(plan, [aborted, newest, undoing]);
    const record = await createDeploy(
      {
        service: s.spec.service,
        plan: steps,
        by: s.actor,
        reason: flags.reason ?? `rollback to ${to}`,
        force: flags.force,
        configPath: s.configPath,
        fleetBefore: fleet,
        rollback: true,
        ...(rollbackOf ? { rollbackOf } : {}),
      },
      { store: s.store, guard: s.guard, now: Date.now, host: s.host },
    );
    process.exitCode = await driveDeploy(s, record, fleet, { json: !!flags.json, slack });
  } finally {
    await s.store.close();
  }
}
