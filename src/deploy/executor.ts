import { policies } from '../retry/policy.js';
import { DeployAbortedError, StepFailedError } from './executor-errors.js';
import { ExecutorControls } from './executor-controls.js';
import { rollbackCommand, versionsAfter } from './executor-fleet.js';
import { OwnerLease } from './executor-lease.js';
import { revertDeploy } from './executor-revert.js';
import {
  DEFAULT_CONTROL_POLL_MS,
  DEFAULT_HEARTBEAT_MS,
  type EventListener,
  type ExecutorDeps,
} from './executor-types.js';
import { httpProbe } from './health-probe.js';
import { runStep, type StepContext } from './run-step.js';
import type { DeployEvent, DeployFailure, DeployRecord, DeployStatus, Step } from './types.js';

/**
 * Drives one deploy record through its plan: persists progress after every step (so a restarted
 * executor resumes at `stepIndex`), honours control requests from other processes (approve,
 * pause, resume, abort), and on a failed step runs the revert plan, locks the guard when a gate
 * failed, and says how to roll back. Events go to the store's event log and to listeners
 * (terminal progress, Slack narration).
 */
export class DeployExecutor {
  private readonly listeners = new Set<EventListener>();
  private lease: OwnerLease | undefined;

  constructor(private readonly deps: ExecutorDeps) {}

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every write is fenced: renewing the lease first means a replaced executor writes nothing. */
  private async fenced(): Promise<void> {
    if (!this.lease) throw new Error('the executor writes only while it runs a deploy');
    await this.lease.renew();
  }

  private async emit(event: DeployEvent, deployId: string): Promise<void> {
    await this.fenced();
    await this.deps.store.appendEvent(deployId, event, this.deps.clock.now());
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener (Slack, terminal) must never change the course of a deploy.
      }
    }
  }

  private async save(id: string, patch: Partial<DeployRecord>): Promise<DeployRecord> {
    await this.fenced();
    return this.deps.store.update(id, { ...patch, updatedAt: this.deps.clock.now() });
  }

  /**
   * Runs (or resumes) the deploy until it reaches a final status; returns the final record. The
   * record must be this process's (createDeploy, takeOver) or have no owner. Rejects with
   * LeaseLostError, having stopped at once, when another executor takes the deploy over meanwhile.
   */
  async run(id: string): Promise<DeployRecord> {
    const { store, clock, owner } = this.deps;
    const found = await store.get(id);
    if (!found) throw new Error(`deploy ${id} not found`);
    const lease = new OwnerLease(id, store, owner, () => clock.now());
    this.lease = lease;
    let record = await lease.acquire(found.owner);
    const fence = { signal: lease.signal, renew: () => lease.renew() };
    const controls = new ExecutorControls(id, store, clock, {
      pollMs: this.deps.controlPollMs ?? DEFAULT_CONTROL_POLL_MS,
      heartbeatMs: this.deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      heartbeat: async () => {
        await lease.renew();
      },
      onError: () => undefined,
      ...(this.deps.onControlRefused ? { onRefused: this.deps.onControlRefused } : {}),
      fence,
    });
    // A deploy resumed at its gate: answers given to that gate meanwhile count.
    if (record.status === 'waiting-approval') controls.waitAt(record.stepIndex);
    // Requests made while no executor ran (an abort of an orphaned deploy) apply at once.
    await controls.poll();
    controls.start();
    try {
      if ((await store.events(id)).length === 0)
        await this.emit({ type: 'deploy-started', deploy: record }, id);
      if (record.status === 'rolling-back' && record.failure) {
        // A revert cut short by a crash runs again (its steps are idempotent).
        const { aborted = false, gate = false } = record.failure;
        record = await this.revert(record, record.failure, aborted, gate);
      } else {
        record = await this.forward(record, controls);
      }
    } finally {
      controls.stop();
    }
    return record;
  }

  private context(record: DeployRecord, controls: ExecutorControls): StepContext {
    const d = this.deps;
    return {
      deployId: record.id,
      index: record.stepIndex,
      env: d.env,
      driver: d.driver,
      router: d.router,
      provider: d.provider,
      providerFor: d.providerFor,
      toVersion: record.toVersion,
      probe: d.probe ?? httpProbe,
      controls,
      now: () => d.clock.now(),
      retryPolicy: d.retryPolicy ?? policies.deployStep,
      versions: versionsAfter(d.fleetBefore.versions, record.plan.steps.slice(0, record.stepIndex)),
      emit: (e) => this.emit(e, record.id),
    };
  }

  private async forward(start: DeployRecord, controls: ExecutorControls): Promise<DeployRecord> {
    let record = start;
    const ctx = this.context(record, controls);
    const steps = record.plan.steps;
    let index = record.stepIndex;
    // A pause the previous executor honoured before it died (review R2 #13): its request was taken,
    // so only the record still says "paused". The deploy stays paused until someone resumes it.
    let pauseStepResumed = false;
    try {
      if (record.status === 'paused') {
        await this.resumeWhenAsked(record, controls);
        // The resume also ends a wait-for-resume pause step the crash interrupted (it had started).
        pauseStepResumed = (await this.deps.store.events(record.id)).some(
          (e) => e.event.type === 'step-started' && e.event.index === start.stepIndex,
        );
      }
      for (; index < steps.length; index++) {
        const step = steps[index] as Step;
        ctx.index = index;
        // Steps that do not wait (set-weight, switch, start) would otherwise run after an abort.
        controls.throwIfAborted();
        await this.honourPause(record, controls);
        controls.throwIfAborted();
        await this.emit({ type: 'step-started', deployId: record.id, index, step }, record.id);
        let detail: string | undefined;
        if (step.kind === 'pause') {
          if (pauseStepResumed && step.duration === undefined && index === start.stepIndex)
            detail = 'resumed';
          else if (step.duration !== undefined) await controls.sleep(step.duration);
          else await this.waitForResume(record, controls, 'plan');
        } else if (step.kind === 'approve') {
          detail = await this.approval(record, controls, step.reason, index);
        } else {
          const result = await runStep(step, ctx);
          detail = result.detail;
          if (result.inconclusive) await this.waitForResume(record, controls, 'analysis');
        }
        record = await this.save(record.id, { stepIndex: index + 1, status: 'running' });
        await this.emit({ type: 'step-finished', deployId: record.id, index, step, detail }, record.id);
      }
    } catch (err) {
      // Replaced by another executor: it owns the deploy now, including its revert.
      if (this.lease?.lost) throw this.lease.lost;
      const aborted = err instanceof DeployAbortedError;
      const gate = err instanceof StepFailedError && err.gate;
      const failure: DeployFailure = {
        step: index,
        kind: (steps[index] as Step | undefined)?.kind ?? 'start',
        message: (err as Error).message,
        ...(aborted ? { aborted } : {}),
        ...(gate ? { gate } : {}),
        ...(err instanceof StepFailedError && err.judgements ? { judgements: err.judgements } : {}),
        ...(err instanceof StepFailedError && err.outcome ? { outcome: err.outcome } : {}),
      };
      record = await this.save(record.id, { status: 'rolling-back', failure });
      if (!aborted) {
        const command = rollbackCommand(this.deps.configPath, record.env, record.fromVersion);
        await this.emit(
          { type: 'deploy-failed', deployId: record.id, failure, rollbackCommand: command },
          record.id,
        );
      }
      return this.revert(record, failure, aborted, gate);
    }
    return this.finish(record, 'succeeded');
  }

  private async finish(record: DeployRecord, status: DeployStatus): Promise<DeployRecord> {
    const done = await this.save(record.id, { status, finishedAt: this.deps.clock.now() });
    await this.emit({ type: 'deploy-finished', deployId: record.id, status }, record.id);
    return done;
  }

  private revert(
    record: DeployRecord,
    failure: DeployFailure,
    aborted: boolean,
    gate: boolean,
  ): Promise<DeployRecord> {
    return revertDeploy(record, failure, {
      deps: this.deps,
      aborted,
      lockGuard: gate,
      ...(this.lease ? { fence: { signal: this.lease.signal, renew: () => this.fenced() } } : {}),
      save: (patch) => this.save(record.id, patch),
      emit: (e) => this.emit(e, record.id),
      finish: (r, s) => this.finish(r, s),
    });
  }

  private async honourPause(record: DeployRecord, controls: ExecutorControls): Promise<void> {
    const by = controls.pauseRequested();
    if (!by) return;
    await this.save(record.id, { status: 'paused' });
    await this.emit({ type: 'paused', deployId: record.id, by }, record.id);
    await controls.until(() => controls.pauseRequested() === undefined);
    await this.save(record.id, { status: 'running' });
    await this.emit(
      { type: 'resumed', deployId: record.id, by: controls.takeResume() ?? 'unknown' },
      record.id,
    );
  }

  /** An indefinite pause (a pause step without duration, an Inconclusive analysis) until `resume`. */
  private async waitForResume(record: DeployRecord, controls: ExecutorControls, why: string): Promise<void> {
    // A resume from before this pause began is not an answer to it.
    controls.takeResume();
    await this.save(record.id, { status: 'paused' });
    await this.emit({ type: 'paused', deployId: record.id, by: why }, record.id);
    await this.resumeWhenAsked(record, controls);
  }

  /**
   * Waits for a resume; one that arrived while the deploy was paused and no executor ran (read by
   * run()'s first poll) counts at once.
   */
  private async resumeWhenAsked(record: DeployRecord, controls: ExecutorControls): Promise<void> {
    let by: string | undefined;
    await controls.until(() => (by = controls.takeResume()) !== undefined);
    await this.save(record.id, { status: 'running' });
    await this.emit({ type: 'resumed', deployId: record.id, by: by ?? 'unknown' }, record.id);
  }

  private async approval(
    record: DeployRecord,
    controls: ExecutorControls,
    reason: string,
    index: number,
  ): Promise<string> {
    const { clock, env, store } = this.deps;
    // After a restart the original deadline stands: it is in the event log.
    const events = await store.events(record.id);
    const first = events.findIndex((e) => e.event.type === 'step-started' && e.event.index === index);
    const earlier = events.slice(Math.max(0, first)).find((e) => e.event.type === 'approval-requested');
    const timeoutAt =
      earlier?.event.type === 'approval-requested'
        ? earlier.event.timeoutAt
        : clock.now() + env.approval.timeout;
    controls.waitAt(index);
    if (!earlier) {
      // An approval is for the gate that asked for it: one that arrived earlier (a duplicate, a
      // mistaken id) is dropped, or it would pre-approve this gate unseen (review R2 #6). After a
      // restart the request stands, and approvals made meanwhile count.
      await controls.poll();
      controls.takeApproval();
    }
    await this.save(record.id, { status: 'waiting-approval' });
    if (!earlier) {
      // Persisted with the gate, so `threader serve` judges a Slack press by what this gate asked.
      const approvers = env.approval.approvers?.length ? { approvers: env.approval.approvers } : {};
      await this.emit(
        { type: 'approval-requested', deployId: record.id, reason, timeoutAt, index, ...approvers },
        record.id,
      );
    }
    let by: string | undefined;
    const approved = await controls
      .until(() => (by = controls.takeApproval()) !== undefined, Math.max(0, timeoutAt - clock.now()))
      .finally(() => controls.waitAt(undefined));
    if (!approved) {
      const why = `no approval within ${Math.round(env.approval.timeout / 1000)} s`;
      if (env.approval.onTimeout === 'abort') throw new DeployAbortedError('approval timeout', why);
      throw new StepFailedError(why, false);
    }
    await this.emit({ type: 'approved', deployId: record.id, by: by ?? 'unknown' }, record.id);
    return `approved by ${by}`;
  }
}
