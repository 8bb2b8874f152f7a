import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startSlackEmulator, type MessageView, type SlackEmulator } from '../../src/emulator/index.js';
import { startAlertmanager, type Alertmanager } from '../helpers/alertmanager.js';
import { freePort, spawnThreader, waitForHttp, type StartedProcess } from '../helpers/process.js';
import { TEST_TOKEN } from '../helpers/threader.js';

/**
 * What the HA tests share: several `threader serve` replicas (the built CLI) on one PostgreSQL
 * database, all talking to ONE Slack emulator, and an Alertmanager cluster whose peers each send
 * to a different replica. Slack's limits are scaled up (×10) so a 50-group timeline takes seconds;
 * the replicas' own limits sit below them, and leases are short (4 s) so a takeover is quick.
 */

export const LEASE = '4s';

export interface Replica {
  name: string;
  url: string;
  process: StartedProcess;
}

export function scaledEmulator(): Promise<SlackEmulator> {
  return startSlackEmulator({
    token: TEST_TOKEN,
    faults: { latencyMs: 20 },
    rateLimits: {
      'chat.postMessage': { perChannel: true, ratePerSec: 10, burst: 3 },
      'chat.update': { perChannel: false, ratePerSec: 20, burst: 10 },
      'conversations.history': { perChannel: false, ratePerSec: 20, burst: 10 },
      'conversations.replies': { perChannel: false, ratePerSec: 20, burst: 10 },
      'chat.getPermalink': { perChannel: false, ratePerSec: 20, burst: 10 },
    },
  });
}

/** threader.yaml for every replica: one channel per team label, storm digest off (one parent per group). */
export function writeReplicaConfig(dir: string, channels: string[]): string {
  const path = join(dir, 'threader.yaml');
  writeFileSync(
    path,
    stringify({
      store: { lease: LEASE, poll: '200ms' },
      // The lease must outlast a Slack call plus a margin (config/schema.ts); the emulator answers in ms.
      slack: { timeout: '2s' },
      delivery: { postsPerSecond: 6, postBurst: 2, updatesPerMinute: 900, updateBurst: 5 },
      storm: { enabled: false },
      routes: channels.map((channel, i) => ({ labels: { team: `t${i}` }, channel })),
    }),
  );
  return path;
}

export async function startReplica(
  name: string,
  opts: { db: string; emulator: SlackEmulator; configPath: string; channel: string },
): Promise<Replica> {
  const port = await freePort();
  const process_ = spawnThreader(['serve', '--config', opts.configPath], {
    name: `threader ${name}`,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      THREADER_DB: opts.db,
      SLACK_BOT_TOKEN: TEST_TOKEN,
      SLACK_API_URL: opts.emulator.url,
      SLACK_CHANNEL: opts.channel,
      LOG_LEVEL: 'info',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([
    waitForHttp(`${url}/healthz`, 20_000),
    process_.exited.then((e) => {
      throw new Error(`${name} exited (${e.code ?? e.signal}):\n${process_.stderr()}`);
    }),
  ]);
  return { name, url, process: process_ };
}

/** An Alertmanager cluster whose peer i sends its webhook to `webhookUrls[i]`. */
export function startAlertmanagerCluster(webhookUrls: string[]): Promise<Alertmanager> {
  return startAlertmanager({
    webhookUrl: webhookUrls,
    groupBy: ['alertname', 'team'],
    // Near-simultaneous sends: both peers notify before gossip can dedupe, so both replicas race on every group.
    peerTimeout: '10ms',
  });
}

interface Payload {
  outbox_id: number;
  thread_id: string;
}
/** What we posted, as the post itself said (edits rewrite the parent's current metadata). */
export const posted = (m: MessageView): Payload => m.original.metadata?.event_payload as unknown as Payload;

export interface SlackPicture {
  parents: MessageView[];
  all: MessageView[];
}

export function slackPicture(emu: SlackEmulator, channels: string[]): SlackPicture {
  const all = channels.flatMap((c) => emu.messages(c));
  return { all, parents: all.filter((m) => !m.thread_ts) };
}

/** Outbox ids posted more than once: a message doubled by two replicas (or a blind repost). */
export function doubled(all: MessageView[]): number[] {
  const seen = new Map<number, number>();
  for (const m of all) seen.set(posted(m).outbox_id, (seen.get(posted(m).outbox_id) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}
