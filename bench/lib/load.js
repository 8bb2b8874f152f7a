/**
 * Load drivers, run in the bench's main thread while the server under test runs in a child
 * process (its own event loop, its own core).
 *  - closedLoop: N keep-alive connections each send the next request as soon as the previous
 *    answer arrives (saturation throughput).
 *  - openLoop: requests are due at a fixed rate whether or not earlier ones were answered, and
 *    latency counts from the moment a request was DUE, so a stalled server cannot hide its stall
 *    by slowing the generator down (coordinated omission).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { clearTimeout, setTimeout } from 'node:timers';
import { Connection } from './connection.js';

/**
 * @param {{ target: {host: string, port: number}, connections: number, warmupMs: number,
 *   durationMs: number, next: (i: number) => Buffer }} o
 */
export async function closedLoop(o) {
  const conns = await Promise.all(Array.from({ length: o.connections }, () => Connection.open(o.target)));
  const t0 = performance.now();
  const from = t0 + o.warmupMs;
  const to = from + o.durationMs;
  let seq = 0;
  let counted = 0;
  const statuses = {};
  const cpu0 = { at: 0, usage: undefined };
  const timer = setTimeout(() => {
    cpu0.usage = process.cpuUsage();
    cpu0.at = performance.now();
  }, o.warmupMs);
  await Promise.all(
    conns.map(async (c) => {
      while (performance.now() < to) {
        const status = await c.send(o.next(seq++));
        const done = performance.now();
        if (done >= from && done < to) {
          counted++;
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }
    }),
  );
  clearTimeout(timer);
  const cpu = cpu0.usage ? process.cpuUsage(cpu0.usage) : undefined;
  for (const c of conns) c.close();
  return {
    requests: counted,
    seconds: o.durationMs / 1000,
    perSecond: counted / (o.durationMs / 1000),
    statuses,
    clientCpu: cpu ? (cpu.user + cpu.system) / 1000 / (performance.now() - cpu0.at) : undefined,
  };
}

/**
 * @param {{ target: {host: string, port: number}, rate: number, warmupMs: number, durationMs: number,
 *   maxConnections: number, next: (i: number) => Buffer }} o
 */
export async function openLoop(o) {
  const interval = 1000 / o.rate;
  const total = Math.round(((o.warmupMs + o.durationMs) / 1000) * o.rate);
  const idle = await Promise.all(Array.from({ length: 16 }, () => Connection.open(o.target)));
  const all = [...idle];
  let opening = 0;
  const queue = [];
  const latencies = [];
  const generatorLag = [];
  const statuses = {};
  let sent = 0;
  let done = 0;
  let errors = 0;
  const start = performance.now() + 20;
  const measureFrom = start + o.warmupMs;

  const dispatch = () => {
    while (queue.length > 0 && idle.length > 0) {
      const conn = idle.pop();
      const due = queue.shift();
      const i = sent++;
      conn.send(o.next(i)).then(
        (status) => {
          const now = performance.now();
          if (due >= measureFrom) {
            latencies.push(now - due);
            statuses[status] = (statuses[status] ?? 0) + 1;
          }
          done++;
          idle.push(conn);
          dispatch();
        },
        () => {
          errors++;
          done++;
        },
      );
    }
    if (queue.length > idle.length && all.length + opening < o.maxConnections) {
      opening++;
      Connection.open(o.target).then((c) => {
        opening--;
        all.push(c);
        idle.push(c);
        dispatch();
      });
    }
  };

  let due = 0;
  await new Promise((resolve) => {
    const pump = () => {
      const now = performance.now();
      while (due < total && start + due * interval <= now) {
        const at = start + due++ * interval;
        // How late this process noticed a due request: the generator's own share of any latency.
        if (at >= measureFrom) generatorLag.push(now - at);
        queue.push(at);
      }
      dispatch();
      if (due < total) setTimeout(pump, Math.max(0, start + due * interval - performance.now()));
      else resolve();
    };
    setTimeout(pump, 20);
  });
  const deadline = performance.now() + 30_000;
  while (done < total && performance.now() < deadline) await sleep(5);
  for (const c of all) c.close();
  return {
    rate: o.rate,
    requests: latencies.length,
    errors,
    unanswered: total - done,
    statuses,
    latencies,
    generatorLag,
  };
}
