/**
 * Figure 2, ack latency: an open-loop load at a fixed rate (requests are due every 1/rate s, and
 * latency counts from the due time) against the threader and the bare fastify route.
 */
import { jsonRequest } from './lib/connection.js';
import { openLoop } from './lib/load.js';
import { groupBodies } from './lib/payload.js';
import { spawnServer } from './lib/spawn-server.js';
import { round, summarize } from './lib/stats.js';

const PATH = '/webhook/alertmanager';

/** @param {{rate: number, warmupMs: number, durationMs: number, groups: number, keep?: boolean}} o */
export async function measureLatency(o) {
  const baseline = await latencyOf('bare', o);
  const threader = await latencyOf('threader', o);
  const row = (name, key, goal) => ({
    figure: `ack latency ${name} @ ${o.rate}/s`,
    unit: 'ms',
    value: threader.latencyMs[key],
    baseline: baseline.latencyMs[key],
    ratio: round(threader.latencyMs[key] / baseline.latencyMs[key], 2),
    goal,
  });
  const details = {
    rate: o.rate,
    warmupMs: o.warmupMs,
    durationMs: o.durationMs,
    body: `${o.groups} distinct alert groups of 10 firing alerts, round-robin`,
    baseline,
    threader,
  };
  return [row('p50', 'p50', undefined), { ...row('p99', 'p99', { op: '<=', value: 20 }), details }];
}

async function latencyOf(kind, o) {
  const server = await spawnServer({ kind, keep: o.keep });
  try {
    const bodies = groupBodies(o.groups, { run: `latency-${kind}` }).map((b) =>
      jsonRequest(server.target.host, server.target.port, PATH, b),
    );
    const marking = new Promise((resolve) =>
      setTimeout(() => server.call('markUsage').then(resolve, resolve), o.warmupMs),
    );
    const load = await openLoop({
      target: server.target,
      rate: o.rate,
      warmupMs: o.warmupMs,
      durationMs: o.durationMs,
      maxConnections: 64,
      next: (i) => bodies[i % bodies.length],
    });
    await marking;
    const usage = await server.call('usage');
    return {
      latencyMs: summarize(load.latencies),
      // How late the generator noticed due requests (its own timer lag, not the server's).
      generatorLagMs: summarize(load.generatorLag),
      statuses: load.statuses,
      errors: load.errors,
      unanswered: load.unanswered,
      serverCpu: usage.cpu,
      serverLoopDelayMs: usage.loopDelayMs,
    };
  } finally {
    await server.close();
  }
}
