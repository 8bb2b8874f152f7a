import type { FastifyInstance } from 'fastify';
import { isAppError } from '../../errors.js';
import type { Metrics } from '../../telemetry/metrics.js';
import { requireBearer } from '../auth.js';

export interface WebhookDeps {
  metrics: Metrics;
  webhookToken?: string;
  /** Validates and durably appends; throws ValidationError / StoreUnavailableError. */
  accept(body: unknown): Promise<{ parts: number }>;
}

/**
 * POST /webhook/alertmanager (and /alert, the original Alert Threader's path). Answers only after
 * the notification is committed to the store; Slack is never called inside the request.
 */
export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookDeps): void {
  const auth = requireBearer(deps.webhookToken);
  const outcomeOf = (status: number) =>
    status === 401
      ? 'unauthorized'
      : status === 413
        ? 'too_large'
        : status === 503
          ? 'store_unavailable'
          : status >= 400 && status < 500
            ? 'invalid'
            : 'error';
  for (const url of ['/webhook/alertmanager', '/alert']) {
    app.post(url, {
      // Authenticate before the body is even parsed: a stranger's payload is never looked at.
      onRequest: async (req) => auth(req),
      onError: async (_req, _reply, err) => {
        const status = isAppError(err)
          ? err.httpStatus
          : ((err as { statusCode?: number }).statusCode ?? 500);
        deps.metrics.webhooks.inc({ outcome: outcomeOf(status) });
      },
      handler: async (req, reply) => {
        const { parts } = await deps.accept(req.body);
        deps.metrics.webhooks.inc({ outcome: 'accepted' });
        return reply.status(200).send({ status: 'accepted', parts });
      },
    });
  }
}
