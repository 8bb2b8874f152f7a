import { describe, expect, it } from 'vitest';
import { guardStatus } from '../guard/guard.js';
import { canarySteps, setup, stable } from './executor-fixtures.test-suite.js';
import type { Step } from './types.js';

/**
 * The approval gate as Slack sees it: the request names the gate and who may answer it (the
 * event log is what `threader serve` reads), an approval records who gave it, and a rejection
 * (an abort while the gate waits) reverts with the reason kept.
 */

const gated: Step[] = [{ kind: 'approve', reason: 'deploy v2 to production' }, ...canarySteps.slice(0, 1)];

describe('DeployExecutor approval gate', () => {
  it("asks with the gate's step index and the environment's approvers, in the persisted event log", async () => {
    const t = setup(gated, {
      env: { approval: { required: true, timeout: 60_000, onTimeout: 'rollback', approvers: ['U0ALICE'] } },
    });
    await t.store.create(t.record);
    const askedAt = t.clock.now();
    const running = t.executor.run('d-1');
    await t.clock.advance(1_000);
    const logged = (await t.store.events('d-1')).map((e) => e.event);
    expect(logged.find((e) => e.type === 'approval-requested')).toEqual({
      type: 'approval-requested',
      deployId: 'd-1',
      reason: 'deploy v2 to production',
      timeoutAt: askedAt + 60_000,
      index: 0,
      approvers: ['U0ALICE'],
    });
    await t.store.requestControl('d-1', { action: 'approve', by: 'slack:U0ALICE:alice' });
    expect((await t.drive(running)).status).toBe('succeeded');
  });

  it('leaves approvers out of the request when anyone may answer', async () => {
    const t = setup(gated);
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(1_000);
    const asked = (await t.store.events('d-1')).find((e) => e.event.type === 'approval-requested');
    expect(asked?.event).not.toHaveProperty('approvers');
    await t.store.requestControl('d-1', { action: 'abort', by: 'x' });
    await t.drive(running);
  });

  it('an approval from Slack is recorded with who gave it, in the event and the step detail', async () => {
    const t = setup(gated);
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(1_000);
    await t.store.requestControl('d-1', { action: 'approve', by: 'slack:U0ALICE:alice' });
    const done = await t.drive(running);
    expect(done.status).toBe('succeeded');
    expect(t.events.filter((e) => e.type === 'approved')).toEqual([
      { type: 'approved', deployId: 'd-1', by: 'slack:U0ALICE:alice' },
    ]);
    expect(t.events.find((e) => e.type === 'step-finished' && e.index === 0)).toMatchObject({
      detail: 'approved by slack:U0ALICE:alice',
    });
  });

  it('a rejection while the gate waits reverts: status aborted, the reason and who kept, guard untouched', async () => {
    const t = setup(gated);
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(5_000);
    expect((await t.store.get('d-1'))?.status).toBe('waiting-approval');
    await t.store.requestControl('d-1', {
      action: 'abort',
      by: 'slack:U0ALICE:alice',
      reason: 'rejected in Slack by @alice',
    });
    const done = await t.drive(running);
    expect(done.status).toBe('aborted');
    expect(done.failure).toMatchObject({
      step: 0,
      kind: 'approve',
      message: 'aborted by slack:U0ALICE:alice: rejected in Slack by @alice',
      aborted: true,
    });
    // The revert plan ran (traffic to stable), no forward step did, and nobody is told to roll back.
    expect(t.router.weights).toEqual(stable);
    expect(t.events.some((e) => e.type === 'approved' || e.type === 'deploy-failed')).toBe(false);
    expect(t.events.filter((e) => e.type === 'step-finished')).toEqual([]);
    expect(t.events.at(-1)).toEqual({ type: 'deploy-finished', deployId: 'd-1', status: 'aborted' });
    const guard = await guardStatus({ file: t.lockFile, now: () => t.clock.now(), actor: 'x' });
    expect(guard.locked).toBe(false);
  });
});
