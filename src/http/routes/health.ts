import type { FastifyInstance } from 'fastify';
import { stormStatus } from '../../pipeline/storm-status.js';
import type { ThreadStore } from '../../store/types.js';
import type { Metrics } from '../../telemetry/metrics.js';

export interface HealthDeps {
  store: ThreadStore;
  metrics: Metrics;
  /** Slack reachability (auth.test), cached by the caller. */
  slackCheck(): Promise<{ ok: boolean; error?: string }>;
  slackMode: 'embedded' | 'slack';
  version: string;
  startedAt: number;
  now(): number;
  refreshGauges?(): Promise<void>;
}

/** /healthz = the process lives; /readyz = it can do its job; /health = a summary for people. */
export function registerHealthRoutes(app: FastifyInstance, deps: HealthDeps): void {
  // Counted as the project's health-check convention (target="self"): the health-check success
  // ratio SLI of a fleet of threaders is built on it.
  const count = (ok: boolean) =>
    deps.metrics.healthChecks.inc({ target: 'self', result: ok ? 'success' : 'failure' });

  app.get('/healthz', async () => {
    count(true);
    return { status: 'ok' };
  });

  app.get('/readyz', async (_req, reply) => {
    const [store, slack] = await Promise.all([storeCheck(deps.store), deps.slackCheck()]);
    const ready = store.ok && slack.ok;
    count(ready);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', store, slack });
  });

  app.get('/health', async () => {
    const [store, slack] = await Promise.all([storeCheck(deps.store), deps.slackCheck()]);
    const stats = store.ok ? await deps.store.stats(deps.now()).catch(() => undefined) : undefined;
    const storms = store.ok ? await stormStatus(deps.store).catch(() => undefined) : undefined;
    const degraded = !store.ok || !slack.ok || (stats?.deadItems ?? 0) > 0;
    return {
      status: store.ok ? (degraded ? 'degraded' : 'healthy') : 'unhealthy',
      degraded,
      version: deps.version,
      uptimeSeconds: Math.round((deps.now() - deps.startedAt) / 1000),
      store: { kind: deps.store.kind, ...store },
      slack: { mode: deps.slackMode, ...slack },
      openThreads: stats?.openThreads ?? null,
      threads: stats?.threads ?? null,
      pendingNotifications: stats?.pendingNotifications ?? null,
      outbox: stats
        ? { depth: stats.outboxDepth, oldestAt: stats.oldestOutboxAt, failed: stats.deadItems }
        : null,
      // Channels whose new groups go to a storm digest right now (pipeline/storm.ts).
      storm: storms ? { active: storms.length > 0, channels: storms } : null,
      timestamp: new Date(deps.now()).toISOString(),
    };
  });
}

async function storeCheck(store: ThreadStore): Promise<{ ok: boolean; error?: string }> {
  try {
    await store.ping();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
