import { z } from 'zod';
import { guardConfigSchema } from './guard.js';
import { channelId } from './slack-ids.js';
import { duration } from './zod-duration.js';

/**
 * Replicas on PostgreSQL: a lease must outlast the longest Slack call made under it plus the
 * margin — one idle scan between heartbeats (1 s) and the store round trip that records the
 * result — else a replica in a slow but successful call can be taken for dead, its row taken back
 * and sent again by another (its own late result is then refused: outbox-fence.ts).
 */
export const LEASE_MARGIN_MS = 2_000;

/** As store/open.ts decides (not imported: the config must not load the store drivers). */
const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//.test(db);

const secret = z.strictObject({
  value: z.string().min(1).optional(),
  file: z.string().min(1).optional(),
});

/**
 * The whole threader.yaml. Strict: an unknown key is an error naming its path. Defaults live here.
 * Secrets may be written as `token: {file: /run/secrets/x}`, but env (`*_FILE`) is the usual way.
 */
const configObject = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.coerce
        .number({ error: 'must be a port number from 0 to 65535 (PORT)' })
        .int('must be a port number from 0 to 65535 (PORT)')
        .min(0, 'must be a port number from 0 to 65535 (PORT)')
        .max(65535, 'must be a port number from 0 to 65535 (PORT)')
        .default(9009),
      /** Largest webhook body accepted (bytes); larger → 413. */
      bodyLimit: z.coerce
        .number()
        .int()
        .positive()
        .default(1024 * 1024),
    })
    .prefault({}),
  store: z
    .strictObject({
      /** SQLite file path (default), or a postgres:// URL: several replicas can share that one. */
      db: z.string().min(1).default('./data/threader.db'),
      synchronous: z.enum(['normal', 'full']).default('normal'),
      /** Processed notifications are kept this long (audit, debugging), then forgotten. */
      keepNotifications: duration('7d'),
      /** Resolved threads are kept this long; the latest episode of each key is always kept. */
      keepThreads: duration('30d'),
      /** Replicas on PostgreSQL: a lease (key, channel) lapses this long after its holder last renewed it. */
      lease: duration('15s'),
      /** Replicas on PostgreSQL: how often each looks for notifications another accepted or left behind. */
      poll: duration('1s'),
    })
    .prefault({}),
  slack: z
    .strictObject({
      token: secret.optional(),
      /** Base URL of the Slack Web API; unset = Slack itself (or the embedded local Slack without a token). */
      apiUrl: z.url().optional(),
      /** Default channel; required with a Slack token, `C0ALERTS` for the embedded local Slack. */
      channel: channelId().optional(),
      timeout: duration('10s'),
      /** Verifies Slack's interactive requests (buttons); usually SLACK_SIGNING_SECRET(_FILE). */
      signingSecret: secret.optional(),
    })
    .prefault({}),
  alertmanager: z
    .strictObject({
      /** API base URL for silences and the reconciler; unset = each notification's externalURL. */
      url: z.url().optional(),
      timeout: duration('5s'),
      reconcile: z
        .strictObject({
          /** Close threads whose alerts Alertmanager no longer reports (a lost resolve). */
          enabled: z.boolean().default(false),
          interval: duration('1m'),
          /** Threads notified more recently than this are left alone: their resolve may be on its way. */
          grace: duration('5m'),
          /**
           * A thread closes only when its alerts stayed gone this long (two rounds at least this far
           * apart), and never while Alertmanager has been up for less (a restart empties its list).
           * 5m: Alertmanager's default group_interval, over Prometheus's 1m resend delay.
           */
          confirm: duration('5m'),
        })
        .prefault({}),
    })
    .prefault({}),
  webhook: z.strictObject({ token: secret.optional() }).prefault({}),
  /** The web dashboard at `/` (and /api/*): read-only; with a token, only for who presents it. */
  dashboard: z.strictObject({ token: secret.optional() }).prefault({}),
  threads: z
    .strictObject({
      key: z.enum(['group', 'alert', 'labels']).default('group'),
      /** Label names for key: labels (the original Alert Threader keyed on alertname, service, cluster…). */
      labels: z.array(z.string().min(1)).default(['alertname', 'service', 'cluster', 'env']),
      reopenWindow: duration('0s'),
      duplicateWindow: duration('5m'),
      replyOnRepeat: z.boolean().default(false),
    })
    .prefault({}),
  routes: z
    .array(
      z.strictObject({
        receiver: z.string().optional(),
        labels: z.record(z.string(), z.string()).optional(),
        channel: channelId(),
      }),
    )
    .default([]),
  delivery: z
    .strictObject({
      postsPerSecond: z.number().positive().default(1),
      /** One below the burst Slack tolerates, so jitter between our send and Slack's arrival never draws a 429. */
      postBurst: z.number().int().positive().default(2),
      updatesPerMinute: z.number().positive().default(50),
      updateBurst: z.number().int().positive().default(3),
    })
    .prefault({}),
  /**
   * Storm digest: when a channel asks for more than `maxNewThreads` new threads within `window`,
   * further new groups are collected into one digest thread per channel; the storm ends when the
   * new-thread demand over the window falls to `exitAtOrBelow` (docs/storm-digest.md).
   */
  storm: z
    .strictObject({
      enabled: z.boolean().default(true),
      maxNewThreads: z.number().int().positive().default(10),
      window: duration('60s'),
      exitAtOrBelow: z.number().int().min(0).default(5),
    })
    .refine((s) => s.exitAtOrBelow < s.maxNewThreads, {
      message: 'exitAtOrBelow must be below maxNewThreads (or a storm could never end)',
      path: ['exitAtOrBelow'],
    })
    .prefault({}),
  guard: guardConfigSchema.prefault({}),
  /**
   * The deploy records `threader deploy` keeps (its config's stateDb, a SQLite file): serve reads
   * them for the dashboard and /metrics, and records Approve / Reject presses there. Unset = serve
   * knows no deploys. THREADER_DEPLOY_DB.
   */
  deploys: z.strictObject({ stateDb: z.string().min(1).optional() }).prefault({}),
  log: z
    .strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info') })
    .prefault({}),
});

export const configSchema = configObject.superRefine((c, ctx) => {
  if (!isPostgresUrl(c.store.db) || c.store.lease >= c.slack.timeout + LEASE_MARGIN_MS) return;
  ctx.addIssue({
    code: 'custom',
    path: ['store', 'lease'],
    message: `must be at least slack.timeout + ${LEASE_MARGIN_MS / 1000}s (${(c.slack.timeout + LEASE_MARGIN_MS) / 1000}s): a replica in a slow Slack call would otherwise lose its work to another and the message could be sent twice`,
  });
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
