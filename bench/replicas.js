/**
 * Figures 4 and 5, replicas and serve's memory. Every `threader serve` here runs with the Node
 * flags that ship (lib/serve-flags.js reads them from the systemd unit).
 *
 * Throughput: the same burst of alert groups (spread over CHANNELS channels, Slack's rate limits
 * off so the threader is what is measured) goes to one `threader serve`, then to two replicas
 * sharing one database (each webhook to one of them, as two Alertmanager peers would split it).
 * The figure is groups per second, first webhook sent -> last parent posted; the ratio is two
 * replicas over one, measured in the same run.
 *
 * Memory: one `threader serve` holding 10,000 open threads (every parent posted), on PostgreSQL
 * and on SQLite; the figure is its peak resident set size, against the 150 MB goal
 * (lib/serve-memory.js).
 */
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackEmulator } from '../dist/emulator/index.js';
import { postgresAvailable, startPostgres } from './lib/postgres.js';
import { CHANNELS, bodies, parentCount, sendAll, writeConfig } from './lib/replica-load.js';
import { startServe, waitUntil } from './lib/replica-process.js';
import { shippedServeNodeOptions } from './lib/serve-flags.js';
import { serveMemory } from './lib/serve-memory.js';
import { round } from './lib/stats.js';

const GOAL_MB = 150;

/** Groups per second through `replicas` serve processes on one fresh database. */
async function throughput({ pg, emu, configPath, dir, replicas, groups, nodeOptions }) {
  emu.reset?.();
  const db = await pg.createDatabase();
  const logFd = openSync(join(dir, `serve-${replicas}.log`), 'a');
  const servers = [];
  try {
    for (let i = 0; i < replicas; i++)
      servers.push(await startServe({ db, slackUrl: emu.url, configPath, logFd, nodeOptions }));
    const before = parentCount(emu);
    const t0 = Date.now();
    const failed = await sendAll(
      servers.map((s) => s.url),
      bodies(groups, `r${replicas}-${Date.now()}`),
    );
    await waitUntil(() => parentCount(emu) - before >= groups, 10 * 60_000, 20);
    const ms = Date.now() - t0;
    return { perSecond: (groups / ms) * 1000, ms, failed };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    closeSync(logFd);
  }
}

function memoryRow(storeName, m, o, nodeOptions) {
  return {
    figure: `serve peak RSS with ${o.openThreads} open threads (${storeName})`,
    unit: 'MB',
    value: m.peakMb,
    baseline: GOAL_MB,
    ratio: round(m.peakMb / GOAL_MB, 3),
    goal: { op: '<=', value: GOAL_MB },
    details: { nodeOptions, settleMs: o.settleMs, ...m },
  };
}

/** @param {{groups: number, openThreads: number, settleMs?: number, keep?: boolean}} options */
export async function measureReplicas(options) {
  const o = { settleMs: 10_000, ...options };
  const nodeOptions = shippedServeNodeOptions();
  const dir = mkdtempSync(join(tmpdir(), 'threader-bench-replicas-'));
  const emu = await startSlackEmulator({ host: '127.0.0.1', port: 0, rateLimits: 'off' });
  const configPath = writeConfig(dir);
  const logFd = openSync(join(dir, 'serve-memory.log'), 'a');
  const rows = [];
  const memory = (store, db) =>
    serveMemory({ store, db, emu, configPath, logFd, openThreads: o.openThreads, nodeOptions, ...o });
  try {
    if (postgresAvailable()) {
      const pg = await startPostgres();
      try {
        const one = await throughput({
          pg,
          emu,
          configPath,
          dir,
          replicas: 1,
          groups: o.groups,
          nodeOptions,
        });
        const two = await throughput({
          pg,
          emu,
          configPath,
          dir,
          replicas: 2,
          groups: o.groups,
          nodeOptions,
        });
        rows.push({
          figure: `2 replicas on PostgreSQL vs 1 (${o.groups} groups, ${CHANNELS.length} channels)`,
          unit: 'groups/s',
          value: round(two.perSecond, 1),
          baseline: round(one.perSecond, 1),
          ratio: round(two.perSecond / one.perSecond, 3),
          goal: { op: '>=', ratio: 1 },
          details: { one, two, channels: CHANNELS.length, slackRateLimits: 'off', nodeOptions },
        });
        rows.push(
          memoryRow('PostgreSQL', await memory('postgres', await pg.createDatabase()), o, nodeOptions),
        );
      } finally {
        await pg.stop();
      }
    } else {
      rows.push({
        figure: 'replicas (PostgreSQL not installed: skipped)',
        value: 'skipped',
        baseline: '',
        ratio: '',
      });
    }
    rows.push(memoryRow('SQLite', await memory('sqlite', join(dir, 'memory.db')), o, nodeOptions));
    return rows;
  } finally {
    closeSync(logFd);
    await emu.close();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}
