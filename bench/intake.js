/**
 * Figure 1, intake throughput: saturating closed-loop load of POST /webhook/alertmanager with
 * 10-alert bodies against the real threader, and against a bare fastify route that parses the same
 * JSON and answers 200. Each server runs alone in a fresh child process; the load generator runs here.
 */
import { jsonRequest } from './lib/connection.js';
import { closedLoop } from './lib/load.js';
import { groupBodies } from './lib/payload.js';
import { spawnServer } from './lib/spawn-server.js';
import { round } from './lib/stats.js';

const PATH = '/webhook/alertmanager';

/** @param {{warmupMs: number, durationMs: number, connections: number, groups: number, keep?: boolean}} o */
export async function measureIntake(o) {
  const baseline = await intakeOf('bare', o);
  const threader = await intakeOf('threader', o);
  return {
    figure: 'intake throughput',
    unit: 'requests/s',
    value: round(threader.perSecond, 0),
    baseline: round(baseline.perSecond, 0),
    ratio: round(threader.perSecond / baseline.perSecond, 3),
    goal: { op: '>=', ratio: 0.5 },
    details: {
      body: `${o.groups} distinct alert groups of 10 firing alerts, sent round-robin (the first copy of a group opens a thread, later copies are duplicates)`,
      connections: o.connections,
      warmupMs: o.warmupMs,
      durationMs: o.durationMs,
      baseline,
      threader,
    },
  };
}

async function intakeOf(kind, o) {
  const server = await spawnServer({ kind, keep: o.keep });
  try {
    const bodies = groupBodies(o.groups, { run: `intake-${kind}` }).map((b) =>
      jsonRequest(server.target.host, server.target.port, PATH, b),
    );
    const marking = new Promise((resolve) =>
      setTimeout(() => server.call('markUsage').then(resolve, resolve), o.warmupMs),
    );
    const load = await closedLoop({
      target: server.target,
      connections: o.connections,
      warmupMs: o.warmupMs,
      durationMs: o.durationMs,
      next: (i) => bodies[i % bodies.length],
    });
    await marking;
    const usage = await server.call('usage');
    const result = {
      perSecond: round(load.perSecond, 1),
      requests: load.requests,
      statuses: load.statuses,
      serverCpu: usage.cpu,
      serverCpuMsPerRequest: round((usage.cpu * o.durationMs) / load.requests, 3),
      serverLoopDelayMs: usage.loopDelayMs,
      serverRssMb: usage.rssMb,
      clientCpu: round(load.clientCpu, 3),
    };
    if (kind === 'threader') {
      // How far background processing (notification -> thread state -> outbox) fell behind intake.
      result.storeAfterRun = await server.call('store');
      result.logBytesPerRequest = round(server.logBytes() / load.requests, 0);
    }
    return result;
  } finally {
    await server.close();
  }
}
