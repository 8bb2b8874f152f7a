import { describe, expect, it } from 'vitest';
import { healthGate, STARTUP_PROBE_MS } from './health-probe.js';
import type { HealthCheckSpec, InstanceSpec } from './types.js';

const instance: InstanceSpec = { name: 'a', host: '127.0.0.1', port: 9101, tags: [] };
const check: HealthCheckSpec = {
  path: '/healthz',
  expectStatus: 200,
  successes: 2,
  interval: 1_000,
  timeout: 500,
  deadline: 10_000,
};

/** Virtual time: sleeping moves it; the instance answers from `upAt` with `status`. */
function instanceUpAt(upAt: number, status = 200) {
  let t = 0;
  const probedAt: number[] = [];
  return {
    probedAt,
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    probe: async () => {
      probedAt.push(t);
      if (t < upAt) throw Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      return status;
    },
  };
}

describe('the health gate', () => {
  it('probes a starting instance every few ms until it answers, then interval apart', async () => {
    const i = instanceUpAt(120);
    const r = await healthGate(instance, check, i);
    expect(r.passed).toBe(true);
    // Up at 120 ms: the first answer comes at most STARTUP_PROBE_MS later, not a full interval.
    const firstAnswer = i.probedAt.find((at) => at >= 120)!;
    expect(firstAnswer - 120).toBeLessThan(STARTUP_PROBE_MS);
    expect(i.now()).toBe(firstAnswer + check.interval);
  });

  it('an instance answering the wrong status is probed interval apart, not hammered, and fails at the deadline', async () => {
    const i = instanceUpAt(0, 503);
    const r = await healthGate(instance, check, i);
    expect(r.passed).toBe(false);
    expect(r.message).toMatch(/0\/2 consecutive 200 .* last probe: answered 503, expected 200/);
    expect(i.probedAt.slice(0, 3)).toEqual([0, 1_000, 2_000]);
  });

  it('an instance that never comes up fails at the deadline naming the last error', async () => {
    const r = await healthGate(instance, { ...check, deadline: 1_000 }, instanceUpAt(Infinity));
    expect(r).toMatchObject({ passed: false, last: 'ECONNREFUSED' });
  });
});
