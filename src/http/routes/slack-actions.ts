import type { FastifyInstance } from 'fastify';
import { acceptActionRequest, type AcceptDeps } from '../../actions/accept.js';
import { parseActionRequest } from '../../actions/payload.js';
import { respondEphemeral } from '../../actions/respond.js';
import { UnauthorizedError } from '../../errors.js';
import { SIGNATURE_TOLERANCE_SECONDS, verifySlackSignature } from '../../slack/signature.js';
import type { ThreadStore } from '../../store/types.js';
import type { Logger } from '../../telemetry/logger.js';

export interface SlackActionsDeps extends AcceptDeps {
  /** Unset: interactivity is off and the route says so. */
  signingSecret?: string;
  store: AcceptDeps['store'] & Pick<ThreadStore, 'rememberOnce'>;
  logger?: Logger;
}

const FORM = 'application/x-www-form-urlencoded';

/**
 * POST /slack/actions, Slack's interactivity Request URL. Every request is checked against the
 * signing secret over the RAW body before anything else; a refused one (wrong or missing signature,
 * stale timestamp, replay) is 401 and changes nothing. The presses are recorded and the request is
 * answered at once; the worker carries them out and tells the presser through response_url.
 */
export function registerSlackActionRoutes(app: FastifyInstance, deps: SlackActionsDeps): void {
  void app.register(async (scope) => {
    // Slack signs the body bytes as sent: it must reach us unparsed.
    scope.addContentTypeParser(FORM, { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post('/slack/actions', async (req, reply) => {
      if (!deps.signingSecret) {
        return reply.status(503).send({
          error: 'slack_actions_disabled',
          message:
            'Slack interactivity is not configured: set SLACK_SIGNING_SECRET (or SLACK_SIGNING_SECRET_FILE)',
        });
      }
      const rawBody = typeof req.body === 'string' ? req.body : '';
      const timestamp = header(req.headers['x-slack-request-timestamp']);
      const signature = header(req.headers['x-slack-signature']);
      const now = deps.now();
      const check = verifySlackSignature({ secret: deps.signingSecret, timestamp, signature, rawBody, now });
      if (!check.ok) {
        deps.logger?.warn({ reason: check.reason }, 'refused a Slack interactive request');
        throw new UnauthorizedError(`Slack request signature check failed: ${check.reason}`);
      }
      // Remembered in the store, so a request replayed to another replica is refused there too.
      const expiresAt = (Number(timestamp) + SIGNATURE_TOLERANCE_SECONDS + 1) * 1000;
      if (!(await deps.store.rememberOnce(`slack:${signature}`, expiresAt, now))) {
        deps.logger?.warn({ reason: 'replayed' }, 'refused a Slack interactive request');
        throw new UnauthorizedError('Slack request signature check failed: replayed request');
      }
      const request = parseActionRequest(rawBody);
      const res = await acceptActionRequest(request, deps);
      if (res.error) {
        void respondEphemeral(request.responseUrl, res.text as string);
        return reply
          .status(200)
          .send({ response_type: 'ephemeral', replace_original: false, text: res.text });
      }
      return reply.status(200).send();
    });
  });
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
