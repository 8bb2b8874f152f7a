import { describe, expect, it } from 'vitest';
import { openDeployStore } from '../store/deploy-sqlite.js';
import { canarySteps, setup } from './executor-fixtures.test-suite.js';
import type { ControlRequest } from './executor-types.js';
import type { DeployRecord, Step } from './types.js';

/**
 * An answer names the gate it answers. `threader serve` judges a Slack press against the gate the
 * deploy waited at when it read the records; by the time the executor reads the request, someone
 * else may have answered that gate and the deploy may wait at the next one. Such an answer is
 * ignored and recorded as refused: an approval of gate 1 never passes gate 3.
 */

// Gates at steps 0 and 2 (shown to people as steps 1 and 3).
const twoGates: Step[] = [
  { kind: 'approve', reason: 'deploy v2 to production' },
  canarySteps[0] as Step,
  { kind: 'approve', reason: 'switch production to v2' },
  canarySteps[6] as Step,
];

function gated(steps: Step[] = twoGates, record: Partial<DeployRecord> = {}) {
  const t = setup(steps, { record });
  const refused: Array<{ request: ControlRequest; why: string }> = [];
  t.deps.onControlRefused = (request, why) => refused.push({ request, why });
  const approvals = () => t.events.flatMap((e) => (e.type === 'approved' ? [e.by] : []));
  return { ...t, refused, approvals };
}

describe('DeployExecutor: an answer counts only at the gate it names', () => {
  it('ignores a Slack approval of gate 1 that arrives after `threader approve` answered it and the deploy waits at gate 3', async () => {
    const t = gated();
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(1_000);
    // The CLI answers gate 1 first; serve had already read "waiting at gate 1" and records the press.
    await t.store.requestControl('d-1', { action: 'approve', by: 'bob' });
    await t.clock.advance(1_000);
    expect(t.approvals()).toEqual(['bob']);
    expect((await t.store.get('d-1'))?.stepIndex).toBe(2);
    await t.store.requestControl('d-1', { action: 'approve', by: 'slack:U0ALICE:alice', step: 0 });
    await t.clock.advance(5_000);

    expect((await t.store.get('d-1'))?.status).toBe('waiting-approval');
    expect(t.approvals()).toEqual(['bob']);
    expect(t.refused).toEqual([
      {
        request: { action: 'approve', by: 'slack:U0ALICE:alice', step: 0 },
        why: 'approves the approval at step 1; the deploy now waits at the approval at step 3',
      },
    ]);
    // Gate 3 is passed by an answer to gate 3.
    await t.store.requestControl('d-1', { action: 'approve', by: 'slack:U0ALICE:alice', step: 2 });
    expect((await t.drive(running)).status).toBe('succeeded');
    expect(t.approvals()).toEqual(['bob', 'slack:U0ALICE:alice']);
  });

  it('still takes `threader approve` without a gate at whichever gate waits', async () => {
    const t = gated();
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(1_000);
    await t.store.requestControl('d-1', { action: 'approve', by: 'bob' });
    await t.clock.advance(1_000);
    await t.store.requestControl('d-1', { action: 'approve', by: 'carol' });
    expect((await t.drive(running)).status).toBe('succeeded');
    expect(t.approvals()).toEqual(['bob', 'carol']);
    expect(t.refused).toEqual([]);
  });

  it('ignores a Reject of a gate already answered: the deploy is not stopped by it', async () => {
    const t = gated();
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(1_000);
    await t.store.requestControl('d-1', { action: 'approve', by: 'bob' });
    await t.clock.advance(1_000);
    await t.store.requestControl('d-1', {
      action: 'abort',
      by: 'slack:U0MALLORY:mallory',
      reason: 'rejected in Slack by @mallory',
      step: 0,
    });
    await t.clock.advance(5_000);
    expect((await t.store.get('d-1'))?.status).toBe('waiting-approval');
    expect(t.refused.map((r) => r.why)).toEqual([
      'rejects the approval at step 1; the deploy now waits at the approval at step 3',
    ]);
    await t.store.requestControl('d-1', { action: 'approve', by: 'carol' });
    expect((await t.drive(running)).status).toBe('succeeded');
  });

  it('ignores an answer naming a gate while the deploy waits at none', async () => {
    const slow: Step[] = [
      { kind: 'approve', reason: 'deploy v2 to production' },
      { kind: 'pause', duration: 60_000, reason: 'bake' },
      canarySteps[6] as Step,
    ];
    const t = gated(slow);
    await t.store.create(t.record);
    const running = t.executor.run('d-1');
    await t.clock.advance(1_000);
    await t.store.requestControl('d-1', { action: 'approve', by: 'bob' });
    await t.clock.advance(1_000);
    await t.store.requestControl('d-1', { action: 'approve', by: 'slack:U0ALICE:alice', step: 0 });
    expect((await t.drive(running)).status).toBe('succeeded');
    expect(t.approvals()).toEqual(['bob']);
    expect(t.refused.map((r) => r.why)).toEqual([
      'approves the approval at step 1; the deploy is no longer waiting for it',
    ]);
  });

  it('takes an answer to the gate a resumed deploy waits at, given while no executor ran', async () => {
    const t = gated(twoGates.slice(0, 2), { status: 'waiting-approval' });
    await t.store.create(t.record);
    await t.store.appendEvent(
      'd-1',
      { type: 'step-started', deployId: 'd-1', index: 0, step: twoGates[0] as Step },
      0,
    );
    await t.store.appendEvent(
      'd-1',
      { type: 'approval-requested', deployId: 'd-1', reason: 'r', timeoutAt: 3_600_000, index: 0 },
      0,
    );
    await t.store.requestControl('d-1', { action: 'approve', by: 'slack:U0ALICE:alice', step: 0 });
    expect((await t.drive(t.executor.run('d-1'))).status).toBe('succeeded');
    expect(t.approvals()).toEqual(['slack:U0ALICE:alice']);
    expect(t.refused).toEqual([]);
  });

  it('records the refusal in the deploy database against the request', async () => {
    const t = gated();
    const store = await openDeployStore(':memory:');
    t.deps.store = store;
    try {
      await store.create(t.record);
      const running = t.executor.run('d-1');
      await t.clock.advance(1_000);
      await store.requestControl('d-1', { action: 'approve', by: 'bob' }, t.clock.now());
      await t.clock.advance(1_000);
      await store.requestControl('d-1', { action: 'approve', by: 'slack:U0ALICE:alice', step: 0 }, 2);
      await t.clock.advance(1_000);
      await store.requestControl('d-1', { action: 'approve', by: 'carol' }, 3);
      expect((await t.drive(running)).status).toBe('succeeded');
      const log = await store.controlLog('d-1');
      expect(log.map((c) => [c.by, c.step, c.refused])).toEqual([
        ['bob', undefined, undefined],
        [
          'slack:U0ALICE:alice',
          0,
          'approves the approval at step 1; the deploy now waits at the approval at step 3',
        ],
        ['carol', undefined, undefined],
      ]);
    } finally {
      await store.close();
    }
  });
});
