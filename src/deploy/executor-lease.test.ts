import { describe, expect, it } from 'vitest';
import { guardStatus } from '../guard/guard.js';
import { canarySteps, setup, stable } from './executor-fixtures.test-suite.js';
import { LeaseLostError } from './executor-lease.js';
import { takeOver } from './executor-start.js';

describe('the executor lease (heartbeat fencing)', () => {
  /** Another CI runner's `threader deploy --resume`, judging the lease a minute later. */
  const takeOverLater = (t: ReturnType<typeof setup>) =>
    takeOver(
      'd-1',
      {
        store: t.store,
        guard: t.deps.guard,
        now: () => t.clock.now() + 60_000,
        host: 'ci-2',
        pid: 7,
      },
      '/etc/threader/deploy.yaml',
    );

  it('a frozen executor that wakes after a takeover does nothing more: no step, no write, exit 3', async () => {
    const t = setup(canarySteps);
    let wake!: () => void;
    const frozen = new Promise<void>((r) => (wake = r));
    const start = t.driver.start.bind(t.driver);
    t.driver.start = async (instance, version) => {
      await frozen;
      return start(instance, version);
    };
    await t.store.create(t.record);
    let failure: unknown;
    const running = t.executor.run('d-1').catch((e: unknown) => (failure = e));
    await t.clock.advance(1_000);
    expect((await t.store.get('d-1'))?.stepIndex).toBe(2);

    // The process is frozen inside the start (no timers run); another runner takes over.
    await takeOverLater(t);
    const writes = t.store.updates.length;
    const events = t.store.log.length;
    wake();
    await running;
    await t.clock.advance(60_000);

    expect(failure).toBeInstanceOf(LeaseLostError);
    expect((failure as LeaseLostError).exitCode).toBe(3);
    expect((failure as Error).message).toMatch(/taken over by pid 7 on ci-2 .*changes nothing/);
    expect(t.store.updates.length).toBe(writes);
    expect(t.store.log.length).toBe(events);
    expect(t.driver.calls).toEqual(['start d v2']);
    expect(t.router.applied).toEqual([{ a: 1, b: 1, c: 1 }]);
    expect(await t.store.get('d-1')).toMatchObject({ stepIndex: 2, owner: { pid: 7, host: 'ci-2' } });
    const guard = await guardStatus({ file: t.lockFile, now: () => t.clock.now(), actor: 'x' });
    expect(guard.locked).toBe(false);
  });

  it('a heartbeat that finds the lease taken stops a long wait at once, without reverting', async () => {
    const t = setup([
      { kind: 'set-weight', weights: { a: 1, b: 1, c: 1 } },
      { kind: 'pause', duration: 600_000, reason: 'bake' },
      { kind: 'set-weight', weights: stable },
    ]);
    await t.store.create(t.record);
    let failure: unknown;
    const running = t.executor.run('d-1').catch((e: unknown) => (failure = e));
    await t.clock.advance(3_000);
    await takeOverLater(t);
    const writes = t.store.updates.length;
    await t.clock.advance(2_000);
    await running;
    expect(failure).toBeInstanceOf(LeaseLostError);
    expect(t.store.updates.length).toBe(writes);
    expect(t.router.applied).toEqual([{ a: 1, b: 1, c: 1 }]);
    expect(t.clock.pendingTimers()).toBe(0);
  });

  it('will not drive a deploy whose lease names another executor', async () => {
    const t = setup(canarySteps, { record: { owner: { pid: 1, host: 'ci-0', heartbeatAt: 0 } } });
    await expect(t.run()).rejects.toThrow(/driven by pid 1 on ci-0, not by this process/);
    expect(t.store.updates).toEqual([]);
    expect(t.driver.calls).toEqual([]);
  });
});
