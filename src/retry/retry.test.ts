import { describe, it, expect } from 'vitest';
import { policies, type RetryPolicy } from './policy.js';
import { retry, RetryExhaustedError, type AttemptReport } from './retry.js';

const policy: RetryPolicy = { attempts: 4, baseMs: 100, maxDelayMs: 1_000, jitter: 'none' };

/** A fake clock whose sleep records each wait and moves time by it. */
function fakeTime(start = 1_000_000) {
  let t = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      waits.push(ms);
      t += ms;
    },
  };
}

function failingUntil(successOn: number) {
  const calls: number[] = [];
  const fn = async (attempt: number) => {
    calls.push(attempt);
    if (attempt < successOn) throw new Error(`boom ${attempt}`);
    return `ok on ${attempt}`;
  };
  return { fn, calls };
}

async function giveUp(p: Promise<unknown>): Promise<RetryExhaustedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RetryExhaustedError);
  return err as RetryExhaustedError;
}

describe('retry', () => {
  it('returns the first success without waiting', async () => {
    const time = fakeTime();
    const { fn, calls } = failingUntil(1);
    await expect(retry(fn, { policy, ...time })).resolves.toBe('ok on 1');
    expect(calls).toEqual([1]);
    expect(time.waits).toEqual([]);
  });

  it('waits base·2^(i−1) between failures and returns the eventual success', async () => {
    const time = fakeTime();
    const { fn } = failingUntil(3);
    await expect(retry(fn, { policy, ...time })).resolves.toBe('ok on 3');
    expect(time.waits).toEqual([100, 200]);
  });

  it('gives up after the last attempt with that attempt’s error and no final wait', async () => {
    const time = fakeTime();
    const { fn, calls } = failingUntil(99);
    const err = await giveUp(retry(fn, { policy, ...time }));
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(time.waits).toEqual([100, 200, 400]);
    expect(err.reason).toBe('attempts');
    expect(err.attempts).toBe(4);
    expect((err.lastError as Error).message).toBe('boom 4');
  });

  it('stops at once when a failure is not retryable', async () => {
    const time = fakeTime();
    const { fn, calls } = failingUntil(99);
    const err = await giveUp(retry(fn, { policy, ...time, retryable: () => false }));
    expect(calls).toEqual([1]);
    expect(err.reason).toBe('not_retryable');
  });

  it('does not start a wait that would end past the deadline', async () => {
    const time = fakeTime();
    const { fn, calls } = failingUntil(99);
    const err = await giveUp(retry(fn, { policy, ...time, deadline: time.now() + 250 }));
    expect(time.waits).toEqual([100]);
    expect(calls).toEqual([1, 2]);
    expect(err.reason).toBe('deadline');
  });

  it('uses a delay override such as Retry-After instead of the backoff', async () => {
    const time = fakeTime();
    const { fn } = failingUntil(3);
    await retry(fn, { policy, ...time, delayOverrideMs: () => 7_000 });
    expect(time.waits).toEqual([7_000, 7_000]);
  });

  it('reports every attempt with its outcome and the next wait', async () => {
    const time = fakeTime();
    const reports: AttemptReport<string>[] = [];
    await retry(failingUntil(2).fn, { policy, ...time, onAttempt: (r) => reports.push(r) });
    expect(reports.map((r) => [r.attempt, r.ok, r.nextDelayMs])).toEqual([
      [1, false, 100],
      [2, true, undefined],
    ]);
  });

  it('gives up as aborted when the signal fires during a wait', async () => {
    const controller = new AbortController();
    const { fn, calls } = failingUntil(99);
    // The wait only ends through the signal: no real or fake time has to pass.
    const waitForAbort = (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
    const p = retry(fn, {
      policy: { ...policy, baseMs: 60_000 },
      signal: controller.signal,
      sleep: waitForAbort,
    });
    await Promise.resolve();
    controller.abort(new Error('SIGTERM'));
    const err = await giveUp(p);
    expect(calls).toEqual([1]);
    expect(err.reason).toBe('aborted');
    expect((err.lastError as Error).message).toBe('boom 1');
  });

  it('runs the instant policy to exhaustion asking for no wait at all', async () => {
    const waits: number[] = [];
    const { fn, calls } = failingUntil(99);
    await giveUp(retry(fn, { policy: policies.instant, sleep: async (ms) => void waits.push(ms) }));
    expect(waits).toEqual([0, 0, 0, 0]);
    expect(calls).toEqual([1, 2, 3, 4, 5]);
  });
});
