import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { ThreadStore } from '../store/types.js';
import { errorHandler, routeOf } from './errors.js';
import { registerApiRoutes } from './routes/api.js';
import { registerDashboardRoutes, type DashboardDeps } from './routes/dashboard.js';
import { registerHealthRoutes, type HealthDeps } from './routes/health.js';
import { registerSlackActionRoutes, type SlackActionsDeps } from './routes/slack-actions.js';
import { registerWebhookRoutes, type WebhookDeps } from './routes/webhook.js';

export interface HttpDeps extends WebhookDeps, HealthDeps {
  store: ThreadStore;
  metrics: Metrics;
  logger?: Logger;
  bodyLimit: number;
  /** Slack interactivity (buttons); without it POST /slack/actions answers 503. */
  slackActions?: SlackActionsDeps;
  /** The web dashboard at `/` (and the token that guards it and /api/*). */
  dashboard?: Omit<DashboardDeps, 'store' | 'now' | 'version'>;
}

/** The HTTP surface of `threader serve`. Routes are plugins in routes/; errors map in errors.ts. */
export async function createHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: deps.bodyLimit, logger: false, return503OnClosing: true });
  // Alertmanager sends JSON; anything else is refused with 415 rather than guessed at.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler(deps.logger));
  app.setNotFoundHandler((req, reply) => {
    reply
      .status(404)
      .send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = routeOf(req);
    deps.metrics.httpRequests.inc({ route, method: req.method, code: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ route, method: req.method }, reply.elapsedTime / 1000);
  });
  if (deps.dashboard)
    registerDashboardRoutes(app, {
      ...deps.dashboard,
      store: deps.store,
      now: deps.now,
      version: deps.version,
    });
  registerWebhookRoutes(app, deps);
  registerHealthRoutes(app, deps);
  registerApiRoutes(app, deps);
  registerSlackActionRoutes(
    app,
    deps.slackActions ?? { store: deps.store, now: () => Date.now(), onQueued: () => undefined },
  );
  app.get('/metrics', async (_req, reply) => {
    await deps.refreshGauges?.();
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  return app;
}
