import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/helpers/fake-clock.js';
import { watchHealth } from './health-watch.js';
import type { HealthCheckSpec, InstanceSpec } from './types.js';

const instances: InstanceSpec[] = [
  { name: 'c', host: '127.0.0.1', port: 9103, tags: [] },
  { name: 'd', host: '127.0.0.1', port: 9104, tags: [] },
];
const check: HealthCheckSpec = {
  path: '/healthz',
  expectStatus: 200,
  successes: 2,
  interval: 1_000,
  timeout: 500,
  deadline: 10_000,
};

/** A watch on a fake clock; `answer` decides each probe's fate. */
function watching(answer: (url: string) => Promise<number>, signal?: AbortSignal) {
  const clock = new FakeClock(0);
  const probed: Array<{ url: string; at: number }> = [];
  const sleep = (ms: number, s?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(resolve, ms);
      s?.addEventListener('abort', () => {
        clock.clearTimeout(timer);
        reject(s.reason);
      });
    });
  const watch = watchHealth(instances, check, {
    probe: (url, _timeout, probeSignal) => {
      probed.push({ url, at: clock.now() });
      return probeSignal?.aborted ? Promise.reject(probeSignal.reason) : answer(url);
    },
    now: () => clock.now(),
    sleep,
    signal,
  });
  const at = (port: number) => probed.filter((p) => p.url.includes(`:${port}/`)).map((p) => p.at);
  return { clock, watch, probed, at };
}

describe('the health watch during an analysis', () => {
  it('probes every instance on its health path once per interval until stopped', async () => {
    const w = watching(async () => 200);
    await w.clock.advance(3_500);
    expect(w.at(9103)).toEqual([0, 1_000, 2_000, 3_000]);
    expect(w.at(9104)).toEqual([0, 1_000, 2_000, 3_000]);
    expect(w.probed[0]?.url).toBe('http://127.0.0.1:9103/healthz');
    await w.watch.stop();
    expect(w.watch.probes()).toBe(8);
  });

  it('sends no probe once stopped and leaves no timer behind', async () => {
    const w = watching(async () => 200);
    await w.clock.advance(1_500);
    await w.watch.stop();
    const sent = w.probed.length;
    await w.clock.advance(60_000);
    expect(w.probed.length).toBe(sent);
    expect(w.clock.pendingTimers()).toBe(0);
  });

  it('keeps probing an instance that refuses or answers 503: the instance counts the failures, the SLO judges them', async () => {
    const w = watching(async (url) => {
      if (url.includes(':9103/'))
        throw Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      return 503;
    });
    await w.clock.advance(2_500);
    expect(w.at(9103)).toEqual([0, 1_000, 2_000]);
    expect(w.at(9104)).toEqual([0, 1_000, 2_000]);
    await w.watch.stop();
  });

  it('ends with the deploy: an abort stops every loop without stop()', async () => {
    const deploy = new AbortController();
    const w = watching(async () => 200, deploy.signal);
    await w.clock.advance(1_500);
    deploy.abort(new Error('aborted by carol'));
    await w.clock.advance(60_000);
    expect(w.at(9104)).toEqual([0, 1_000]);
    expect(w.clock.pendingTimers()).toBe(0);
    await w.watch.stop();
  });

  it('cancels a probe still waiting for its answer when stopped', async () => {
    let cancelled = 0;
    const clock = new FakeClock(0);
    const watch = watchHealth([instances[0]!], check, {
      probe: (_url, _timeout, signal) =>
        new Promise<number>((_, reject) =>
          signal?.addEventListener('abort', () => {
            cancelled++;
            reject(signal.reason);
          }),
        ),
      now: () => clock.now(),
      sleep: () => Promise.resolve(),
    });
    await watch.stop();
    expect(cancelled).toBe(1);
    expect(watch.probes()).toBe(1);
  });
});
