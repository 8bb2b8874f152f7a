import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { systemClock, type Clock } from './clock.js';
import { defaultChannel, type LoadedConfig } from './config/load.js';
import type { ThreadKeyMode } from './core/types.js';
import type { SlackEmulator } from './emulator/index.js';
import { createHttpServer } from './http/server.js';
import { createLiveFeed } from './dashboard/live-feed.js';
import { workspaceUrlCache } from './dashboard/permalink.js';
import { setGuardGauges } from './guard/guard-gauges.js';
import { defaultLockFile } from './guard/paths.js';
import { readGuardState, type GuardSource } from './guard/read-state.js';
import { guardChecks } from './guard/slos.js';
import { ActionWorker } from './actions/worker.js';
import { createAlertmanagerClient } from './alertmanager/client.js';
import type { AlertmanagerClient } from './alertmanager/types.js';
import { Reconciler } from './reconciler/reconciler.js';
import { AppendBatcher } from './pipeline/append-batcher.js';
import { acceptWebhook } from './pipeline/intake.js';
import { NotificationProcessor } from './pipeline/processor.js';
import { StormStage } from './pipeline/storm.js';
import { compileRoutes } from './pipeline/route.js';
import { policies, type RetryPolicy } from './retry/policy.js';
import { createAlertRenderer } from './slack/alert-renderer.js';
import { digestRenderer } from './slack/render/storm-digest-renderer.js';
import { ThreadEngine } from './slack/thread-engine.js';
import type { SlackClient } from './slack/types.js';
import { createWebSlackClient } from './slack/web-client.js';
import { isPostgresUrl, openStore } from './store/open.js';
import { replicaName } from './store/replica-name.js';
import type { ThreadStore } from './store/types.js';
import type { DeployStoreWithControls } from './store/deploy-types.js';
import { createLogger, type Logger } from './telemetry/logger.js';
import { createMetrics, type Metrics } from './telemetry/metrics.js';

export interface AppDeps {
  clock?: Clock;
  logger?: Logger;
  metrics?: Metrics;
  store?: ThreadStore;
  slack?: SlackClient;
  /** Slack delivery retry policy (tests use policies.instant). */
  slackPolicy?: RetryPolicy;
  /** Deploy records (default: config.deploys.stateDb when set). */
  deploys?: DeployStoreWithControls;
}

export interface App {
  http: FastifyInstance;
  store: ThreadStore;
  processor: NotificationProcessor;
  engine: ThreadEngine;
  /** Carries out Slack button presses. */
  actions: ActionWorker;
  /** Set when alertmanager.reconcile.enabled. */
  reconciler?: Reconciler;
  metrics: Metrics;
  logger: Logger;
  /** Set when no Slack token was given: the in-process local Slack. */
  emulator?: SlackEmulator;
  /** The deploy records `threader deploy` keeps, when serve was told where (deploys.stateDb). */
  deploys?: DeployStoreWithControls;
  slackMode: 'embedded' | 'slack';
  /** Starts the background stages and listens; returns the bound address. */
  listen(): Promise<{ host: string; port: number; url: string }>;
  /** Waits until everything accepted is processed and delivered (tests, benchmarks). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export const version: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Composition root: every implementation is chosen here, none is discovered. */
export async function createApp(config: LoadedConfig, deps: AppDeps = {}): Promise<App> {
  const channel = defaultChannel(config); // before anything starts: a bad config opens nothing
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? createMetrics();
  const logger = deps.logger ?? createLogger({ level: config.log.level, metrics });
  // The dashboard shows the lock `threader guard` takes: the same file (THREADER_GUARD_FILE is in config).
  const guardSource: GuardSource = {
    lockFile: config.guard.lockFile,
    configured: config.guard.provider !== undefined,
    defaultLockFile: () => defaultLockFile(process.env),
  };
  const live = createLiveFeed({
    guardFile: () => guardSource.lockFile ?? guardSource.defaultLockFile(),
    now: () => clock.now(),
  });
  const store = live.observe(deps.store ?? openStore(config.store));
  await store.init();
  // Shared with the `threader deploy` processes writing it (SQLite WAL, busy timeout).
  const ownDeploys = !deps.deploys && config.deploys.stateDb !== undefined;
  const deploys =
    deps.deploys ??
    (config.deploys.stateDb
      ? await (await import('./store/deploy-sqlite.js')).openDeployStore(config.deploys.stateDb)
      : undefined);
  // The dashboard's deployments view and the threader_deploy* metrics read the same records.
  if (deploys) {
    live.watchDeploys(deploys);
    metrics.deploys.watch(deploys);
  }
  // On PostgreSQL several replicas may share the store: work is divided with leases.
  const replica = isPostgresUrl(config.store.db)
    ? { owner: replicaName(), leaseMs: config.store.lease, pollMs: config.store.poll }
    : undefined;

  let emulator: SlackEmulator | undefined;
  let slack = deps.slack;
  const slackMode = deps.slack || config.secrets.slackToken ? 'slack' : 'embedded';
  if (!slack) {
    if (config.secrets.slackToken) {
      slack = createWebSlackClient({
        token: config.secrets.slackToken,
        slackApiUrl: config.slack.apiUrl,
        timeoutMs: config.slack.timeout,
      });
    } else {
      // Loaded only in embedded mode: a deployment with a real Slack token never needs it.
      const { startSlackEmulator } = await import('./emulator/index.js');
      emulator = await startSlackEmulator({ host: '127.0.0.1', port: 0 });
      slack = createWebSlackClient({
        token: 'xoxb-embedded-local-slack',
        slackApiUrl: emulator.url,
        timeoutMs: config.slack.timeout,
      });
    }
  }

  const keyMode: ThreadKeyMode =
    config.threads.key === 'labels'
      ? { mode: 'labels', labels: config.threads.labels }
      : { mode: config.threads.key };
  const engine = new ThreadEngine({
    store,
    client: slack,
    // Note threads (CI steps, guard briefings) are delivered by the commands that queue them.
    renderers: {
      alert: createAlertRenderer({ buttons: Boolean(config.secrets.slackSigningSecret) }),
      digest: digestRenderer(store),
    },
    fallbackChannel: channel,
    clock,
    policy: deps.slackPolicy ?? policies.slack,
    limits: config.delivery,
    uncertainGraceMs: config.slack.timeout,
    metrics,
    logger,
    replica,
  });
  const storm = new StormStage({
    store,
    clock,
    metrics,
    logger,
    policy: {
      enabled: config.storm.enabled,
      maxNewThreads: config.storm.maxNewThreads,
      windowMs: config.storm.window,
      exitAtOrBelow: config.storm.exitAtOrBelow,
    },
    onOutbox: () => engine.kick(),
  });
  const processor = new NotificationProcessor({
    store,
    clock,
    metrics,
    logger,
    policy: {
      reopenWindowMs: config.threads.reopenWindow,
      duplicateWindowMs: config.threads.duplicateWindow,
      replyOnRepeat: config.threads.replyOnRepeat,
    },
    onOutbox: () => engine.kick(),
    replica,
    shaper: storm,
  });
  // Slack buttons and the reconciler: one Alertmanager client per base URL.
  const alertmanagers = new Map<string, AlertmanagerClient>();
  const alertmanagerFor = (baseUrl: string | undefined) => {
    if (!baseUrl || !/^https?:\/\//.test(baseUrl)) return undefined;
    let c = alertmanagers.get(baseUrl);
    if (!c) {
      c = createAlertmanagerClient({ baseUrl, timeoutMs: config.alertmanager.timeout });
      alertmanagers.set(baseUrl, c);
    }
    return c;
  };
  const actions = new ActionWorker({
    store,
    clock,
    logger,
    slack,
    alertmanagerFor,
    configuredUrl: config.alertmanager.url,
    onOutbox: () => engine.kick(),
  });
  const reconciler = config.alertmanager.reconcile.enabled
    ? new Reconciler({
        store,
        clock,
        logger,
        alertmanagerFor,
        configuredUrl: config.alertmanager.url,
        intervalMs: config.alertmanager.reconcile.interval,
        graceMs: config.alertmanager.reconcile.grace,
        confirmMs: config.alertmanager.reconcile.confirm,
        owner: replica?.owner,
        onAppended: () => processor.kick(),
      })
    : undefined;
  const route = compileRoutes(config.routes, channel);
  const appender = new AppendBatcher(store);

  let slackStatus: { ok: boolean; error?: string; at: number } | undefined;
  const slackCheck = async () => {
    // auth.test is cached: readiness probes must not eat into Slack's rate limits.
    if (slackStatus && clock.now() - slackStatus.at < 30_000)
      return { ok: slackStatus.ok, error: slackStatus.error };
    try {
      await (slack as SlackClient).authTest();
      slackStatus = { ok: true, at: clock.now() };
    } catch (err) {
      slackStatus = {
        ok: false,
        error: (err as { slackError?: string }).slackError ?? 'unreachable',
        at: clock.now(),
      };
    }
    return { ok: slackStatus.ok, error: slackStatus.error };
  };
  const refreshGauges = async () => {
    const s = await store.stats(clock.now());
    metrics.outboxDepth.set(s.outboxDepth);
    metrics.outboxOldestAge.set(s.oldestOutboxAt ? Math.max(0, (clock.now() - s.oldestOutboxAt) / 1000) : 0);
    metrics.openThreads.set(s.openThreads);
    metrics.pendingNotifications.set(s.pendingNotifications);
    setGuardGauges(metrics, await readGuardState(guardSource, clock.now()));
  };
  const startedAt = clock.now();
  // Retention runs hourly: the original Alert Threader's mappings grew forever.
  let pruneTimer: unknown;
  const prune = async () => {
    const now = clock.now();
    try {
      const res = await store.prune({
        notificationsBefore: now - config.store.keepNotifications,
        threadsBefore: now - config.store.keepThreads,
      });
      if (res.notifications + res.threads > 0) logger.info(res, 'retention: forgot old records');
    } catch (err) {
      logger.warn({ err: String(err) }, 'retention failed; will try again');
    }
    pruneTimer = clock.setTimeout(() => void prune(), 3_600_000);
  };

  const http = await createHttpServer({
    store,
    metrics,
    logger,
    bodyLimit: config.server.bodyLimit,
    webhookToken: config.secrets.webhookToken,
    accept: async (body) => {
      const res = await acceptWebhook(body, { store: appender, keyMode, route, now: () => clock.now() });
      // After the reply is on its way: processing must never delay the acknowledgement.
      setImmediate(() => processor.kick());
      return res;
    },
    slackCheck,
    slackMode,
    version,
    startedAt,
    now: () => clock.now(),
    refreshGauges: () => refreshGauges().catch(() => undefined),
    dashboard: {
      token: config.secrets.dashboardToken,
      guard: guardSource,
      guardChecks: guardChecks(config.guard),
      workspaceUrl: workspaceUrlCache(
        () => (slack as SlackClient).authTest(),
        () => clock.now(),
      ),
      events: live.events,
      deploys,
    },
    slackActions: {
      signingSecret: config.secrets.slackSigningSecret,
      store,
      now: () => clock.now(),
      onQueued: () => actions.kick(),
      logger,
      deployPresses: { deploys, host: hostname() },
    },
  });

  return {
    http,
    store,
    processor,
    engine,
    actions,
    reconciler,
    metrics,
    logger,
    emulator,
    deploys,
    slackMode,
    async listen() {
      processor.start();
      storm.start();
      await engine.start();
      actions.start();
      reconciler?.start();
      void prune();
      await http.listen({ host: config.server.host, port: config.server.port });
      const addr = http.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
      const host = config.server.host;
      const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
      // The embedded local Slack can click our buttons too (POST /_emulator/actions).
      if (emulator && config.secrets.slackSigningSecret)
        emulator.interactivity.configure({
          requestUrl: `${url}/slack/actions`,
          signingSecret: config.secrets.slackSigningSecret,
        });
      return { host, port, url };
    },
    async settle() {
      for (;;) {
        await processor.whenIdle();
        await actions.whenIdle();
        await engine.whenIdle();
        const s = await store.stats(clock.now());
        if (s.pendingNotifications === 0 && s.outboxDepth === 0) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      if (pruneTimer !== undefined) clock.clearTimeout(pruneTimer);
      // Stop taking webhooks, finish the batch being decided, let the Slack calls in flight land
      // (their results recorded, so nothing needs a lookup after the restart), then close.
      await http.close();
      reconciler?.stop();
      actions.stop();
      await actions.whenIdle();
      processor.stop();
      storm.stop();
      await processor.whenIdle();
      await engine.drain(config.slack.timeout);
      await store.close();
      if (ownDeploys) await deploys?.close();
      await emulator?.close();
      logger.flush?.();
    },
  };
}
