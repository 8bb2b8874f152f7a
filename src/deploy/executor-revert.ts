import { lockGuard } from '../guard/guard.js';
import { policies } from '../retry/policy.js';
import { ExecutorControls } from './executor-controls.js';
import { versionsAfter } from './executor-fleet.js';
import { DEFAULT_GUARD_RELEASE, type ExecutorDeps } from './executor-types.js';
import { httpProbe } from './health-probe.js';
import { runStep } from './run-step.js';
import type { DeployEvent, DeployFailure, DeployRecord, DeployStatus } from './types.js';

export interface RevertHooks {
  deps: ExecutorDeps;
  /** Stopped by a person (abort, approval timeout): status aborted, no guard lock. */
  aborted: boolean;
  /** A health gate or analysis failed: the fleet may be hurt, so the guard window opens. */
  lockGuard: boolean;
  /** The executor's lease: lost, the revert stops where it is (the new owner reverts). */
  fence?: { signal: AbortSignal; renew: () => Promise<unknown> };
  save: (patch: Partial<DeployRecord>) => Promise<DeployRecord>;
  emit: (event: DeployEvent) => Promise<void>;
  finish: (record: DeployRecord, status: DeployStatus) => Promise<DeployRecord>;
}

/** The guard's lock reason: what failed and where, with the values (DESIGN.md "Guard window"). */
export function guardReason(record: DeployRecord, failure: DeployFailure): string {
  return `deploy ${record.id} (${record.service} ${record.toVersion} to ${record.env}) rolled back: ${failure.message}`;
}

/**
 * Undoes a deploy that stopped at `failure.step`: the revert plan (traffic back to stable first,
 * then the new version stopped / the old one restarted) runs without analysis — the fast path —
 * and cannot itself be paused or aborted. Every revert step is idempotent, so an executor that
 * crashed half-way simply runs the whole revert again.
 */
export async function revertDeploy(
  record: DeployRecord,
  failure: DeployFailure,
  h: RevertHooks,
): Promise<DeployRecord> {
  const d = h.deps;
  const steps = d.planRevert(record.plan, failure.step, d.fleetBefore);
  const controls = new ExecutorControls(record.id, d.store, d.clock, {
    pollMs: 1_000,
    heartbeatMs: 1_000,
    heartbeat: async () => undefined,
    onError: () => undefined,
    ...(h.fence ? { fence: h.fence } : {}),
  });
  const throwIfReplaced = () => {
    if (h.fence?.signal.aborted) throw h.fence.signal.reason;
  };
  const versions = versionsAfter(d.fleetBefore.versions, record.plan.steps.slice(0, failure.step + 1));
  let problem: string | undefined;
  for (const [index, step] of steps.entries()) {
    if (step.kind === 'analyse' || step.kind === 'pause' || step.kind === 'approve') continue;
    try {
      await runStep(step, {
        deployId: record.id,
        index: failure.step,
        env: d.env,
        driver: d.driver,
        router: d.router,
        provider: d.provider,
        toVersion: record.toVersion,
        probe: d.probe ?? httpProbe,
        controls,
        now: () => d.clock.now(),
        retryPolicy: d.retryPolicy ?? policies.deployStep,
        versions,
        emit: h.emit,
      });
    } catch (err) {
      throwIfReplaced();
      problem = `revert step ${index + 1} (${step.kind}) failed: ${(err as Error).message}`;
      break;
    }
  }
  let guardLocked = false;
  throwIfReplaced();
  if (h.lockGuard || problem) {
    const release = d.guardRelease ?? DEFAULT_GUARD_RELEASE;
    await lockGuard(d.guard, {
      durationMs: d.env.guard.lockDuration,
      reason: guardReason(record, failure),
      mode: release.mode,
      healthyEvaluations: release.healthyEvaluations,
      ...(release.maxLockDurationMs !== undefined ? { maxLockDurationMs: release.maxLockDurationMs } : {}),
    });
    guardLocked = true;
  }
  if (problem) {
    const saved = await h.save({ failure: { ...failure, message: `${failure.message}; ${problem}` } });
    await h.emit({
      type: 'rollback-finished',
      deployId: record.id,
      guardLocked,
      guardFile: d.guard.file.path,
    });
    return h.finish(saved, 'failed');
  }
  await h.emit({ type: 'rollback-finished', deployId: record.id, guardLocked, guardFile: d.guard.file.path });
  return h.finish(record, h.aborted ? 'aborted' : 'rolled-back');
}
