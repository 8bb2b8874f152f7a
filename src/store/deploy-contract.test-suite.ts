import { beforeEach, describe, expect, it } from 'vitest';
import type { DeployEvent, DeployRecord, DeployStatus } from '../deploy/types.js';
import { FINAL_STATUSES, type DeployStoreWithControls } from './deploy-types.js';

/**
 * The DeployStore contract: every adapter (deploy-sqlite.test.ts now, Postgres later) runs this
 * suite. It pins down what the executor and the CLI rely on: one active deploy per environment
 * with a refusal naming the holder, progress saved by update, an ordered event log, control
 * requests delivered once, and a compare-and-set executor lease.
 */
export function deployRecord(over: Partial<DeployRecord> = {}): DeployRecord {
  return {
    id: 'd-1',
    env: 'production',
    service: 'alert-threader',
    strategy: 'rolling',
    fromVersion: 'v1',
    toVersion: 'v2',
    by: 'alice',
    status: 'running',
    plan: {
      env: over.env ?? 'production',
      strategy: 'rolling',
      fromVersion: 'v1',
      toVersion: 'v2',
      steps: [{ kind: 'start', instances: ['a'], version: 'v2', batch: 0 }],
      mandatedWaitMs: 0,
      worstCaseMs: 1_000,
      noop: false,
    },
    stepIndex: 0,
    createdAt: Date.UTC(2026, 10, 26, 9, 30),
    updatedAt: Date.UTC(2026, 10, 26, 9, 30),
    finishedAt: null,
    ...over,
  };
}

const started = (id: string): DeployEvent => ({ type: 'paused', deployId: id, by: 'x' });

export function deployStoreContract(name: string, open: () => Promise<DeployStoreWithControls>): void {
  describe(`${name} deploy store contract`, () => {
    let store: DeployStoreWithControls;
    beforeEach(async () => {
      store = await open();
    });

    it('reads back exactly the record it created', async () => {
      const r = deployRecord({ reason: 'release 2', threadRef: 'C1:1.2', rollbackOf: 'd-0' });
      await store.create(r);
      expect(await store.get('d-1')).toEqual(r);
      expect(await store.get('d-404')).toBeNull();
    });

    it('refuses a second active deploy of an environment and names the holder, who and since when', async () => {
      await store.create(deployRecord());
      const err = await store.create(deployRecord({ id: 'd-2', by: 'bob' })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'conflict' });
      expect((err as Error).message).toBe(
        'deploy d-1 by alice since 2026-11-26T09:30:00.000Z holds production (running)',
      );
      expect(await store.get('d-2')).toBeNull();
    });

    it('lets different environments deploy at the same time', async () => {
      await store.create(deployRecord());
      await store.create(deployRecord({ id: 'd-2', env: 'staging' }));
      expect((await store.active('staging'))?.id).toBe('d-2');
      expect((await store.active('production'))?.id).toBe('d-1');
    });

    it.each(FINAL_STATUSES.map((s) => [s]))(
      'releases the environment when the deploy ends as %s',
      async (status: DeployStatus) => {
        await store.create(deployRecord());
        await store.update('d-1', { status, updatedAt: 2_000 });
        expect(await store.active('production')).toBeNull();
        await store.create(deployRecord({ id: 'd-2' }));
        expect((await store.active('production'))?.id).toBe('d-2');
      },
    );

    it.each<[DeployStatus]>([['running'], ['paused'], ['waiting-approval'], ['rolling-back']])(
      'keeps holding the environment while the deploy is %s',
      async (status) => {
        await store.create(deployRecord());
        await store.update('d-1', { status });
        await expect(store.create(deployRecord({ id: 'd-2' }))).rejects.toMatchObject({ code: 'conflict' });
      },
    );

    it('refuses a second record with the same id', async () => {
      await store.create(deployRecord({ status: 'succeeded', finishedAt: 5 }));
      await expect(store.create(deployRecord())).rejects.toMatchObject({ code: 'conflict' });
    });

    it('saves progress without letting id, env or creation time change, and stamps the finish', async () => {
      await store.create(deployRecord());
      const patch = { stepIndex: 3, status: 'failed' as const, updatedAt: 9_000 };
      const saved = await store.update('d-1', { ...patch, env: 'staging', id: 'x' } as never);
      expect(saved).toMatchObject({ id: 'd-1', env: 'production', stepIndex: 3, finishedAt: 9_000 });
      expect(saved.createdAt).toBe(deployRecord().createdAt);
      expect(await store.get('d-1')).toEqual(saved);
    });

    it('keeps failure details and the executor lease through an update', async () => {
      await store.create(deployRecord());
      const failure = { step: 2, kind: 'analyse' as const, message: 'error ratio 0.2 > 0.01' };
      const owner = { pid: 42, host: 'ci-1', heartbeatAt: 7 };
      await store.update('d-1', { failure, owner, updatedAt: 8 });
      expect(await store.get('d-1')).toMatchObject({ failure, owner, updatedAt: 8 });
    });

    it('says an unknown deploy does not exist when asked to update it', async () => {
      await expect(store.update('d-404', { stepIndex: 1 })).rejects.toMatchObject({ code: 'not_found' });
    });

    it('refuses to reopen a finished deploy while another holds its environment', async () => {
      await store.create(deployRecord());
      await store.update('d-1', { status: 'aborted' });
      await store.create(deployRecord({ id: 'd-2', by: 'bob' }));
      await expect(store.update('d-1', { status: 'running' })).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringContaining('deploy d-2 by bob'),
      });
      expect((await store.get('d-1'))?.status).toBe('aborted');
    });

    it('lists newest first, filtered by environment and status, and limited', async () => {
      const done = { status: 'succeeded' as const, finishedAt: 1 };
      await store.create(deployRecord({ id: 'd-1', createdAt: 1, ...done }));
      await store.create(deployRecord({ id: 'd-2', createdAt: 2, status: 'failed', finishedAt: 2 }));
      await store.create(deployRecord({ id: 'd-3', createdAt: 3, env: 'staging', ...done }));
      await store.create(deployRecord({ id: 'd-4', createdAt: 4 }));
      const ids = async (f: Parameters<typeof store.list>[0]) => (await store.list(f)).map((r) => r.id);
      expect(await ids({})).toEqual(['d-4', 'd-3', 'd-2', 'd-1']);
      expect(await ids({ env: 'production' })).toEqual(['d-4', 'd-2', 'd-1']);
      expect(await ids({ env: 'production', status: 'succeeded' })).toEqual(['d-1']);
      expect(await ids({ limit: 2 })).toEqual(['d-4', 'd-3']);
    });

    it('finds the last success of an environment, which may be a rollback record', async () => {
      expect(await store.lastSucceeded('production')).toBeNull();
      await store.create(deployRecord({ id: 'd-1', status: 'succeeded', createdAt: 1, finishedAt: 10 }));
      await store.create(deployRecord({ id: 'd-2', status: 'rolled-back', createdAt: 20, finishedAt: 30 }));
      await store.create(
        deployRecord({ id: 'd-3', status: 'succeeded', createdAt: 40, finishedAt: 50, rollbackOf: 'd-2' }),
      );
      await store.create(deployRecord({ id: 'd-4', env: 'staging', status: 'succeeded', finishedAt: 99 }));
      expect((await store.lastSucceeded('production'))?.id).toBe('d-3');
    });

    it('numbers each deploy’s events from 1 and reads them after a given number', async () => {
      await store.create(deployRecord());
      await store.create(deployRecord({ id: 'd-2', env: 'staging' }));
      const a = await store.appendEvent('d-1', started('d-1'), 100);
      await store.appendEvent('d-2', started('d-2'), 101);
      const b = await store.appendEvent('d-1', { type: 'resumed', deployId: 'd-1', by: 'y' }, 102);
      expect([a.seq, b.seq]).toEqual([1, 2]);
      expect((await store.events('d-1')).map((e) => [e.seq, e.at, e.event.type])).toEqual([
        [1, 100, 'paused'],
        [2, 102, 'resumed'],
      ]);
      expect((await store.events('d-1', 1)).map((e) => e.event)).toEqual([
        { type: 'resumed', deployId: 'd-1', by: 'y' },
      ]);
      expect(await store.events('d-2')).toHaveLength(1);
    });

    it('refuses events for a deploy that does not exist', async () => {
      await expect(store.appendEvent('d-404', started('d-404'), 1)).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('hands each control request to the executor once, oldest first, and only its own deploy’s', async () => {
      await store.create(deployRecord());
      await store.create(deployRecord({ id: 'd-2', env: 'staging' }));
      await store.requestControl('d-1', { action: 'pause', by: 'bob' }, 10);
      await store.requestControl('d-2', { action: 'abort', by: 'eve', reason: 'wrong env' }, 11);
      await store.requestControl('d-1', { action: 'approve', by: 'carol', reason: 'looks good' }, 12);
      const taken = await store.takeControls('d-1');
      expect(taken.map(({ action, by, reason, at }) => ({ action, by, reason, at }))).toEqual([
        { action: 'pause', by: 'bob', reason: undefined, at: 10 },
        { action: 'approve', by: 'carol', reason: 'looks good', at: 12 },
      ]);
      expect(await store.takeControls('d-1')).toEqual([]);
      expect((await store.takeControls('d-2')).map((c) => c.action)).toEqual(['abort']);
    });

    it('keeps the approval gate a request names, so the executor can tell which gate it answers', async () => {
      await store.create(deployRecord({ status: 'waiting-approval', stepIndex: 2 }));
      await store.requestControl('d-1', { action: 'approve', by: 'slack:U0ALICE:alice', step: 2 }, 10);
      await store.requestControl('d-1', { action: 'approve', by: 'bob' }, 11);
      const taken = await store.takeControls('d-1', 12);
      expect(taken.map(({ action, by, step }) => ({ action, by, step }))).toEqual([
        { action: 'approve', by: 'slack:U0ALICE:alice', step: 2 },
        { action: 'approve', by: 'bob', step: undefined },
      ]);
      expect(taken[1]).not.toHaveProperty('step');
    });

    it('records why the executor refused a request, in a log of every request with when it was taken', async () => {
      await store.create(deployRecord({ status: 'waiting-approval', stepIndex: 4 }));
      const stale = await store.requestControl('d-1', { action: 'approve', by: 'bob', step: 1 }, 10);
      await store.takeControls('d-1', 11);
      await store.refuseControl('d-1', stale.seq, 'approves gate 1; the deploy waits at gate 4');
      await store.requestControl('d-1', { action: 'abort', by: 'carol', reason: 'wrong build' }, 12);
      expect(await store.controlLog('d-1')).toEqual([
        {
          deployId: 'd-1',
          seq: stale.seq,
          action: 'approve',
          by: 'bob',
          step: 1,
          at: 10,
          takenAt: 11,
          refused: 'approves gate 1; the deploy waits at gate 4',
        },
        {
          deployId: 'd-1',
          seq: expect.any(Number),
          action: 'abort',
          by: 'carol',
          reason: 'wrong build',
          at: 12,
        },
      ]);
      expect(await store.controlLog('d-404')).toEqual([]);
      await expect(store.refuseControl('d-1', 9_999, 'x')).rejects.toMatchObject({ code: 'not_found' });
    });

    it('refuses a control request for an unknown or finished deploy', async () => {
      await expect(store.requestControl('d-404', { action: 'abort', by: 'bob' }, 1)).rejects.toMatchObject({
        code: 'not_found',
      });
      await store.create(deployRecord({ status: 'succeeded', finishedAt: 5 }));
      await expect(store.requestControl('d-1', { action: 'abort', by: 'bob' }, 6)).rejects.toMatchObject({
        code: 'conflict',
        message: 'deploy d-1 has already finished (succeeded)',
      });
    });

    it('gives the executor lease to exactly one of two claimants that saw the same owner', async () => {
      await store.create(deployRecord());
      const first = { pid: 1, host: 'ci-1', heartbeatAt: 10 };
      expect(await store.claimOwner('d-1', first, null)).toMatchObject({ owner: first });
      // Two resumers both saw `first` go stale; only one may take over.
      const a = await store.claimOwner('d-1', { pid: 2, host: 'ci-2', heartbeatAt: 50 }, first);
      const b = await store.claimOwner('d-1', { pid: 3, host: 'ci-3', heartbeatAt: 51 }, first);
      expect(a?.owner?.pid).toBe(2);
      expect(b).toBeNull();
      expect((await store.get('d-1'))?.owner).toEqual({ pid: 2, host: 'ci-2', heartbeatAt: 50 });
      expect(await store.claimOwner('d-1', first, null)).toBeNull();
    });
  });
}
