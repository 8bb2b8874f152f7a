import { describe, expect, it } from 'vitest';
import { DrainLoop } from './drain-loop.js';

/** A drain whose runs the test finishes one by one. */
function gatedDrain() {
  const pending: Array<() => void> = [];
  let runs = 0;
  return {
    drain: () => {
      runs++;
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    finishOne: async () => {
      pending.shift()?.();
      // Lets the loop's finally() run and start the next drain if one was asked for.
      await new Promise((r) => setImmediate(r));
    },
    get runs() {
      return runs;
    },
  };
}

describe('DrainLoop', () => {
  it('runs one drain at a time however often it is kicked', async () => {
    const d = gatedDrain();
    const loop = new DrainLoop(d.drain, () => true);
    loop.kick();
    loop.kick();
    loop.kick();
    expect(d.runs).toBe(1);
    await d.finishOne();
    expect(d.runs).toBe(2);
  });

  it('runs once more after a drain that was kicked mid-run, and only once', async () => {
    const d = gatedDrain();
    const loop = new DrainLoop(d.drain, () => true);
    loop.kick();
    loop.kick();
    loop.kick();
    await d.finishOne();
    await d.finishOne();
    expect(d.runs).toBe(2);
    await loop.whenIdle();
  });

  it('ignores kicks while its owner is stopped', async () => {
    const d = gatedDrain();
    let active = false;
    const loop = new DrainLoop(d.drain, () => active);
    loop.kick();
    expect(d.runs).toBe(0);
    active = true;
    loop.kick();
    expect(d.runs).toBe(1);
    active = false;
    loop.kick();
    await d.finishOne();
    expect(d.runs).toBe(1);
  });

  it('is idle only once the follow-up run asked for mid-drain has finished too', async () => {
    const d = gatedDrain();
    const loop = new DrainLoop(d.drain, () => true);
    let idle = false;
    loop.kick();
    loop.kick();
    void loop.whenIdle().then(() => (idle = true));
    await d.finishOne();
    expect(idle).toBe(false);
    await d.finishOne();
    expect(idle).toBe(true);
  });

  it('is idle at once when nothing runs', async () => {
    const loop = new DrainLoop(
      async () => undefined,
      () => true,
    );
    await expect(loop.whenIdle()).resolves.toBeUndefined();
  });
});
