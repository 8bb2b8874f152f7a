import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { episodeId } from '../../core/thread-key.js';
import { CLIENT_SCRIPT } from '../../dashboard/assets/client-script.js';
import { FAVICON_SVG } from '../../dashboard/assets/favicon.js';
import { STYLES } from '../../dashboard/assets/styles.js';
import { DASHBOARD_REALM, dashboardAuth } from '../../dashboard/auth.js';
import { parseDeployFilter } from '../../dashboard/deploy-filters.js';
import { deployDetail } from '../../dashboard/deploy-detail.js';
import { renderDeployPage } from '../../dashboard/deploy-page.js';
import { deployRow } from '../../dashboard/deploy-row.js';
import { renderDeploysPage } from '../../dashboard/deploys-page.js';
import { parseThreadFilter } from '../../dashboard/filters.js';
import { renderGuardPage } from '../../dashboard/guard-page.js';
import { messagePage } from '../../dashboard/layout.js';
import type { LiveEvents } from '../../dashboard/live-events.js';
import { SECURITY_HEADERS } from '../../dashboard/security.js';
import { renderThreadPage } from '../../dashboard/thread-page.js';
import { threadRow } from '../../dashboard/thread-row.js';
import { renderThreadsPage } from '../../dashboard/threads-page.js';
import { readGuardState, type GuardSource } from '../../guard/read-state.js';
import type { MetricCheck } from '../../metrics/types.js';
import type { DeployStore } from '../../store/deploy-types.js';
import type { ThreadStore } from '../../store/types.js';

export interface DashboardDeps {
  store: ThreadStore;
  now(): number;
  version: string;
  /** THREADER_DASHBOARD_TOKEN: required for the pages, assets, /events and /api/*. */
  token?: string;
  guard: GuardSource;
  guardChecks: readonly MetricCheck[];
  /** Slack's workspace URL (auth.test), for permalinks. */
  workspaceUrl(): Promise<string | undefined>;
  events: LiveEvents;
  /** The deploy records (deploys.stateDb / THREADER_DEPLOY_DB); without them the view says how to enable it. */
  deploys?: DeployStore;
}

const ASSETS: Record<string, { type: string; body: string }> = {
  'dashboard.js': { type: 'text/javascript; charset=utf-8', body: CLIENT_SCRIPT },
  'dashboard.css': { type: 'text/css; charset=utf-8', body: STYLES },
  'favicon.svg': { type: 'image/svg+xml', body: FAVICON_SVG },
};
const ETAGS = Object.fromEntries(
  Object.entries(ASSETS).map(([name, a]) => [
    name,
    `"${createHash('sha256').update(a.body).digest('hex').slice(0, 16)}"`,
  ]),
);

/** Routes the token protects: marked in their config, plus the JSON API registered elsewhere. */
const protectedRoute = (url: string | undefined, config: unknown) =>
  (config as { dashboard?: boolean } | undefined)?.dashboard === true || (url ?? '').startsWith('/api/');

function htmlReply(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply
    .status(status)
    .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-store' })
    .type('text/html; charset=utf-8')
    .send(body);
}

/** The web dashboard at `/`: server-rendered, read-only, live over server-sent events. */
export function registerDashboardRoutes(app: FastifyInstance, deps: DashboardDeps): void {
  const check = dashboardAuth(deps.token);
  const dashboard = { config: { dashboard: true } };

  app.addHook('onRequest', async (req, reply) => {
    if (!protectedRoute(req.routeOptions.url, req.routeOptions.config)) return;
    try {
      check(req.headers.authorization);
    } catch (err) {
      reply.header('www-authenticate', DASHBOARD_REALM);
      throw err;
    }
  });
  // Open event streams would keep close() waiting for ever: end them first.
  app.addHook('preClose', async () => deps.events.close());

  app.get('/', dashboard, async (req, reply) => {
    const { filter, ignored } = parseThreadFilter(req.query as Record<string, unknown>);
    const [threads, recent, workspaceUrl] = await Promise.all([
      deps.store.listThreads({ status: filter.state, channel: filter.channel, limit: filter.limit + 1 }),
      deps.store.listThreads({ limit: 200 }),
      deps.workspaceUrl(),
    ]);
    const now = deps.now();
    const channels = [
      ...new Set([...recent.map((t) => t.channel), ...(filter.channel ? [filter.channel] : [])]),
    ].sort();
    const body = renderThreadsPage({
      rows: threads.slice(0, filter.limit).map((t) => threadRow(t, now, workspaceUrl)),
      filter,
      ignored,
      channels,
      hasMore: threads.length > filter.limit,
      now,
      version: deps.version,
    });
    return htmlReply(reply, 200, body);
  });

  app.get('/threads/:id', dashboard, async (req, reply) => {
    const { id } = req.params as { id: string };
    const thread = await deps.store.getThread(id);
    if (!thread || thread.kind !== 'alert') {
      const message = 'There is no alert thread with this id; it may have been forgotten by retention.';
      return htmlReply(
        reply,
        404,
        messagePage({ title: 'No such thread', view: 'threads', message, version: deps.version }),
      );
    }
    const [messages, outbox, next, workspaceUrl] = await Promise.all([
      deps.store.messages(id),
      deps.store.outbox(id),
      deps.store.getThread(episodeId(thread.threadKey, thread.seq + 1)),
      deps.workspaceUrl(),
    ]);
    const now = deps.now();
    const body = renderThreadPage({
      thread: {
        ...threadRow(thread, now, workspaceUrl),
        parentTs: thread.parentTs,
        resolvedAt: thread.resolvedAt,
        alertmanagerUrl: thread.state.externalURL || undefined,
      },
      messages,
      failed: outbox.filter((o) => o.status === 'dead'),
      previousId: thread.previousId,
      nextId: next ? next.id : null,
      workspaceUrl,
      now,
      version: deps.version,
    });
    return htmlReply(reply, 200, body);
  });

  app.get('/guard', dashboard, async (_req, reply) => {
    const now = deps.now();
    const state = await readGuardState(deps.guard, now);
    return htmlReply(
      reply,
      200,
      renderGuardPage({ state, checks: deps.guardChecks, now, version: deps.version }),
    );
  });

  app.get('/deployments', dashboard, async (req, reply) => {
    const { filter, ignored } = parseDeployFilter(req.query as Record<string, unknown>);
    const base = { filter, ignored, now: deps.now(), version: deps.version };
    if (!deps.deploys) return htmlReply(reply, 200, renderDeploysPage({ ...base, envs: [], hasMore: false }));
    const [records, recent, workspaceUrl] = await Promise.all([
      deps.deploys.list({ env: filter.env, status: filter.status, limit: filter.limit + 1 }),
      deps.deploys.list({ limit: 200 }),
      deps.workspaceUrl(),
    ]);
    const now = deps.now();
    const body = renderDeploysPage({
      ...base,
      now,
      rows: records.slice(0, filter.limit).map((r) => deployRow(r, now, workspaceUrl)),
      envs: [...new Set(recent.map((r) => r.env))],
      hasMore: records.length > filter.limit,
    });
    return htmlReply(reply, 200, body);
  });

  app.get('/deployments/:id', dashboard, async (req, reply) => {
    const { id } = req.params as { id: string };
    const record = deps.deploys ? await deps.deploys.get(id) : null;
    if (!deps.deploys || !record) {
      const message = deps.deploys
        ? 'There is no deploy with this id in the deploy records this threader reads.'
        : 'This threader does not read deploy records: set THREADER_DEPLOY_DB (deploys.stateDb) to the SQLite file threader deploy writes.';
      return htmlReply(
        reply,
        404,
        messagePage({ title: 'No such deployment', view: 'deployments', message, version: deps.version }),
      );
    }
    const [events, workspaceUrl] = await Promise.all([deps.deploys.events(id), deps.workspaceUrl()]);
    const now = deps.now();
    const body = renderDeployPage({
      deploy: deployRow(record, now, workspaceUrl),
      detail: deployDetail(record, events, now),
      ...(record.failure ? { failure: record.failure } : {}),
      now,
      version: deps.version,
    });
    return htmlReply(reply, 200, body);
  });

  // No HEAD twin: a HEAD request would otherwise hold a stream open with nothing to read.
  app.get('/events', { ...dashboard, exposeHeadRoute: false }, (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx: pass each event on at once instead of buffering the stream.
      'x-accel-buffering': 'no',
    });
    const leave = deps.events.attach(reply.raw);
    req.raw.on('close', leave);
  });

  app.get('/assets/:name', dashboard, async (req, reply) => {
    const { name } = req.params as { name: string };
    const asset = ASSETS[name];
    if (!asset)
      return reply
        .status(404)
        .headers(SECURITY_HEADERS)
        .type('text/plain; charset=utf-8')
        .send('no such asset');
    const etag = ETAGS[name] as string;
    reply.headers({ ...SECURITY_HEADERS, etag, 'cache-control': 'no-cache' });
    if (req.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.type(asset.type).send(asset.body);
  });
}
