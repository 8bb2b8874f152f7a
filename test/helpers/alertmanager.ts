import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, startProcess, waitFor, waitForHttp, type StartedProcess } from './process.js';

/**
 * A real Alertmanager (Debian's prometheus-alertmanager 0.25) on loopback, configured to send its
 * webhook to a threader. Short group_wait/group_interval keep a fire → grow → resolve timeline
 * within seconds; repeat_interval is long so repeats never blur what a test asserts.
 */

export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

export interface AlertmanagerOptions {
  /**
   * Where the webhook receiver posts, e.g. `${threader.url}/webhook/alertmanager`. A list gives
   * peer i its own receiver URL (`webhookUrl[i]`, one config file per peer) and sets `peers` to
   * its length: HA tests put a different threader replica behind each peer.
   */
  webhookUrl: string | string[];
  /** Sent as `Authorization: Bearer <token>` through http_config.authorization. */
  token?: string;
  receiver?: string;
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  /** Number of peers; 1 (default) disables clustering. */
  peers?: number;
  /** HA only: how long peer i waits (× i) before sending, Alertmanager's dedup window between peers. */
  peerTimeout?: string;
}

/** An alert as API v2 takes it (`POST /api/v2/alerts`). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface Alertmanager {
  /** Base URL of the first peer, e.g. http://127.0.0.1:PORT */
  url: string;
  /** Every peer's base URL (one unless `peers` > 1). */
  urls: string[];
  /** The first peer's alertmanager.yml (every peer's, unless each has its own webhook URL). */
  configPath: string;
  processes: StartedProcess[];
  /** Pushes alerts to every peer (as Prometheus does in HA); throws on a non-2xx answer. */
  push(alerts: PostableAlert[]): Promise<void>;
  /** Pushes the same alerts (same labels, same startsAt) with endsAt now: Alertmanager resolves them. */
  resolve(alerts: PostableAlert[]): Promise<void>;
  /** `GET /api/v2/alerts` of the first peer. */
  alerts(): Promise<Array<{ labels: Record<string, string>; status: { state: string } }>>;
  stop(): Promise<void>;
}

/** Builds one alert for API v2; `startsAt` defaults to a fixed instant so resolves can repeat it. */
export function amAlert(
  labels: Record<string, string>,
  over: Omit<PostableAlert, 'labels'> = {},
): PostableAlert {
  return {
    labels,
    annotations: { summary: `${labels.alertname ?? 'alert'} on ${labels.instance ?? '?'}` },
    generatorURL: 'http://prometheus.test:9090/graph?g0.expr=up',
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    ...over,
  };
}

/** The alertmanager.yml a test runs with: one route, one webhook receiver, send_resolved on. */
export function alertmanagerConfig(
  opts: Omit<AlertmanagerOptions, 'webhookUrl'> & { webhookUrl: string },
): Record<string, unknown> {
  const receiver = opts.receiver ?? 'slack-threads';
  const webhook: Record<string, unknown> = {
    url: opts.webhookUrl,
    send_resolved: true,
    max_alerts: 0,
  };
  if (opts.token) webhook.http_config = { authorization: { type: 'Bearer', credentials: opts.token } };
  return {
    route: {
      receiver,
      group_by: opts.groupBy ?? ['alertname'],
      group_wait: opts.groupWait ?? '1s',
      group_interval: opts.groupInterval ?? '2s',
      repeat_interval: opts.repeatInterval ?? '1h',
    },
    receivers: [{ name: receiver, webhook_configs: [webhook] }],
  };
}

export async function startAlertmanager(opts: AlertmanagerOptions): Promise<Alertmanager> {
  const perPeer = Array.isArray(opts.webhookUrl) ? opts.webhookUrl : undefined;
  const peers = Math.max(1, perPeer?.length ?? opts.peers ?? 1);
  if (perPeer && opts.peers !== undefined && opts.peers !== perPeer.length)
    throw new Error(`peers (${opts.peers}) differs from the number of webhook URLs (${perPeer.length})`);
  const dir = mkdtempSync(join(tmpdir(), 'threader-am-'));
  const configPaths = Array.from({ length: perPeer ? peers : 1 }, (_, i) => {
    const path = join(dir, perPeer ? `alertmanager-${i}.yml` : 'alertmanager.yml');
    writeFileSync(
      path,
      stringify(alertmanagerConfig({ ...opts, webhookUrl: perPeer?.[i] ?? (opts.webhookUrl as string) })),
    );
    return path;
  });

  const webPorts: number[] = [];
  const clusterPorts: number[] = [];
  for (let i = 0; i < peers; i++) {
    webPorts.push(await freePort());
    if (peers > 1) clusterPorts.push(await freePort());
  }
  const processes: StartedProcess[] = [];
  const urls = webPorts.map((p) => `http://127.0.0.1:${p}`);
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop(3_000)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < peers; i++) {
      const storage = join(dir, `data-${i}`);
      mkdirSync(storage);
      const args = [
        `--config.file=${configPaths[perPeer ? i : 0]}`,
        `--storage.path=${storage}`,
        `--web.listen-address=127.0.0.1:${webPorts[i]}`,
        `--web.external-url=${urls[i]}`,
        '--log.level=debug',
      ];
      if (peers === 1) {
        args.push('--cluster.listen-address=');
      } else {
        args.push(
          `--cluster.listen-address=127.0.0.1:${clusterPorts[i]}`,
          `--cluster.advertise-address=127.0.0.1:${clusterPorts[i]}`,
          `--cluster.peer-timeout=${opts.peerTimeout ?? '1s'}`,
          '--cluster.settle-timeout=2s',
          '--cluster.gossip-interval=50ms',
          '--cluster.pushpull-interval=1s',
          ...clusterPorts.filter((_, j) => j !== i).map((p) => `--cluster.peer=127.0.0.1:${p}`),
        );
      }
      processes.push(startProcess(ALERTMANAGER_BIN, args, { name: `alertmanager#${i}` }));
    }
    await Promise.all(
      urls.map((u, i) =>
        Promise.race([
          waitForHttp(`${u}/-/ready`, 20_000),
          processes[i]?.exited.then((e) => {
            throw new Error(`alertmanager#${i} exited (${e.code ?? e.signal}):\n${processes[i]?.stderr()}`);
          }),
        ]),
      ),
    );
  } catch (err) {
    await stop();
    throw err;
  }

  const push = async (alerts: PostableAlert[]) => {
    await Promise.all(
      urls.map(async (u) => {
        const res = await fetch(`${u}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(alerts),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`POST ${u}/api/v2/alerts → ${res.status}: ${text}`);
      }),
    );
  };

  return {
    url: urls[0] as string,
    urls,
    configPath: configPaths[0] as string,
    processes,
    push,
    resolve: (alerts) => push(alerts.map((a) => ({ ...a, endsAt: new Date().toISOString() }))),
    alerts: async () => (await (await fetch(`${urls[0]}/api/v2/alerts`)).json()) as never,
    stop,
  };
}

/** Waits until the cluster peers see each other (HA only). */
export function waitForCluster(am: Alertmanager, timeoutMs = 15_000): Promise<true> {
  return waitFor(
    async () => {
      for (const u of am.urls) {
        const status = (await (await fetch(`${u}/api/v2/status`)).json()) as {
          cluster?: { status?: string; peers?: unknown[] };
        };
        if (status.cluster?.status !== 'ready' || (status.cluster.peers?.length ?? 0) < am.urls.length)
          return undefined;
      }
      return true as const;
    },
    { timeoutMs, what: 'alertmanager cluster ready' },
  );
}

export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `cond` until it returns a truthy value (returned) or the deadline passes. Timelines of
 * real processes offer no event to wait on; polling keeps them free of fixed sleeps.
 */
export async function until<T>(
  cond: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<Truthy<T>> {
  return waitFor(
    async () => {
      const v = await cond();
      return v ? (v as Truthy<T>) : undefined;
    },
    { intervalMs: 50, ...opts },
  );
}
