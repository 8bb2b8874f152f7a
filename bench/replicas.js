/**
 * Figures 4 and 5, replicas on PostgreSQL.
 *
 * Throughput: the same burst of alert groups (spread over CHANNELS channels, Slack's rate limits
 * off so the threader is what is measured) goes to one `threader serve`, then to two replicas
 * sharing one database (each webhook to one of them, as two Alertmanager peers would split it).
 * The figure is groups per second, first webhook sent -> last parent posted; the ratio is two
 * replicas over one, measured in the same run.
 *
 * Memory: one `threader serve` on PostgreSQL holding 10,000 open threads (every parent posted);
 * the figure is its resident set size, against the 150 MB goal.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackEmulator } from '../dist/emulator/index.js';
import { groupBody } from './lib/payload.js';
import { postgresAvailable, startPostgres } from './lib/postgres.js';
import { startServe, waitUntil } from './lib/replica-process.js';
import { round } from './lib/stats.js';

const CHANNELS = Array.from({ length: 8 }, (_, i) => `C_BENCH${i}`);

function writeConfig(dir) {
  const path = join(dir, 'threader.yaml');
  const routes = CHANNELS.map((c, i) => `  - labels: { team: t${i} }\n    channel: ${c}`).join('\n');
  writeFileSync(
    path,
    [
      'store: { lease: 5s, poll: 200ms }',
      'storm: { enabled: false }',
      'delivery: { postsPerSecond: 1000, postBurst: 50, updatesPerMinute: 60000, updateBurst: 50 }',
      'routes:',
      routes,
      '',
    ].join('\n'),
  );
  return path;
}

function bodies(count, run) {
  return Array.from({ length: count }, (_, i) => {
    const b = groupBody(i, { alerts: 1, run });
    const team = `t${i % CHANNELS.length}`;
    b.groupLabels = { ...b.groupLabels, team };
    b.commonLabels = { ...b.commonLabels, team };
    return JSON.stringify(b);
  });
}

async function sendAll(urls, list, connections = 16) {
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < list.length) {
        const i = next++;
        const res = await globalThis.fetch(`${urls[i % urls.length]}/webhook/alertmanager`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: list[i],
        });
        await res.arrayBuffer();
        if (res.status !== 200) failed++;
      }
    }),
  );
  return failed;
}

const parentCount = (emu) =>
  CHANNELS.reduce((n, c) => n + emu.messages(c).filter((m) => !m.thread_ts).length, 0);

/** Groups per second through `replicas` serve processes on one fresh database. */
async function throughput({ pg, emu, configPath, dir, replicas, groups }) {
  emu.reset?.();
  const db = await pg.createDatabase();
  const logFd = openSync(join(dir, `serve-${replicas}.log`), 'a');
  const servers = [];
  try {
    for (let i = 0; i < replicas; i++)
      servers.push(await startServe({ db, slackUrl: emu.url, configPath, logFd }));
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

/** @param {{groups: number, openThreads: number, keep?: boolean}} o */
export async function measureReplicas(o) {
  if (!postgresAvailable()) {
    return [
      { figure: 'replicas (PostgreSQL not installed: skipped)', value: 'skipped', baseline: '', ratio: '' },
    ];
  }
  const dir = mkdtempSync(join(tmpdir(), 'threader-bench-replicas-'));
  const pg = await startPostgres();
  const emu = await startSlackEmulator({ host: '127.0.0.1', port: 0, rateLimits: 'off' });
  const configPath = writeConfig(dir);
  try {
    const one = await throughput({ pg, emu, configPath, dir, replicas: 1, groups: o.groups });
    const two = await throughput({ pg, emu, configPath, dir, replicas: 2, groups: o.groups });

    // Memory: one serve, 10,000 groups firing, every parent posted (threads open), then RSS.
    const db = await pg.createDatabase();
    const logFd = openSync(join(dir, 'serve-memory.log'), 'a');
    const serve = await startServe({ db, slackUrl: emu.url, configPath, logFd });
    let rss;
    let openThreads;
    try {
      const before = parentCount(emu);
      await sendAll([serve.url], bodies(o.openThreads, `mem-${Date.now()}`));
      await waitUntil(() => parentCount(emu) - before >= o.openThreads, 10 * 60_000, 50);
      const health = await (await globalThis.fetch(`${serve.url}/health`)).json();
      openThreads = health.threads?.open ?? health.openThreads ?? o.openThreads;
      rss = serve.rssMb();
    } finally {
      await serve.stop();
      closeSync(logFd);
    }
    return [
      {
        figure: `2 replicas on PostgreSQL vs 1 (${o.groups} groups, ${CHANNELS.length} channels)`,
        unit: 'groups/s',
        value: round(two.perSecond, 1),
        baseline: round(one.perSecond, 1),
        ratio: round(two.perSecond / one.perSecond, 3),
        goal: { op: '>=', ratio: 1 },
        details: { one, two, channels: CHANNELS.length, slackRateLimits: 'off' },
      },
      {
        figure: `serve RSS with ${o.openThreads} open threads (PostgreSQL)`,
        unit: 'MB',
        value: round(rss, 1),
        baseline: 150,
        ratio: round(rss / 150, 3),
        goal: { op: '<=', value: 150 },
        details: { openThreads },
      },
    ];
  } finally {
    await emu.close();
    await pg.stop();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}
