/**
 * The load the replica and memory figures share: alert groups spread over CHANNELS channels
 * (one route per channel), sent over a few connections, and the parents the emulator has seen.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupBody } from './payload.js';

export const CHANNELS = Array.from({ length: 8 }, (_, i) => `C_BENCH${i}`);

/** A config with Slack's rate limits lifted, so the threader itself is what is measured. */
export function writeConfig(dir) {
  const path = join(dir, 'threader.yaml');
  const routes = CHANNELS.map((c, i) => `  - labels: { team: t${i} }\n    channel: ${c}`).join('\n');
  writeFileSync(
    path,
    [
      // The lease stays at its default: PostgreSQL needs it above slack.timeout + 2 s.
      'store: { poll: 200ms }',
      'storm: { enabled: false }',
      'delivery: { postsPerSecond: 1000, postBurst: 50, updatesPerMinute: 60000, updateBurst: 50 }',
      'routes:',
      routes,
      '',
    ].join('\n'),
  );
  return path;
}

export function bodies(count, run) {
  return Array.from({ length: count }, (_, i) => {
    const b = groupBody(i, { alerts: 1, run });
    const team = `t${i % CHANNELS.length}`;
    b.groupLabels = { ...b.groupLabels, team };
    b.commonLabels = { ...b.commonLabels, team };
    return JSON.stringify(b);
  });
}

/** Sends every body (body i to urls[i % urls.length]); resolves to how many were not answered 200. */
export async function sendAll(urls, list, connections = 16) {
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

export const parentCount = (emu) =>
  CHANNELS.reduce((n, c) => n + emu.messages(c).filter((m) => !m.thread_ts).length, 0);
