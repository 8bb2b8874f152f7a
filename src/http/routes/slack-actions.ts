import type { FastifyInstance } from 'fastify';
import { acceptActionRequest, type AcceptDeps } from '../../actions/accept.js';
import { answerDeployPresses, type DeployPressDeps } from '../../actions/deploy-press.js';
import { parseActionRequest } from '../../actions/payload.js';
import { tellDeployPressers } from '../../actions/deploy-respond.js';
import { respondEphemeral, respondReplacing } from '../../actions/respond.js';
import { UnauthorizedError } from '../../errors.js';
import { SIGNATURE_TOLERANCE_SECONDS, verifySlackSignature } from '../../slack/signature.js';
import type { ThreadStore } from '../../store/types.js';
import type { Logger } from '../../telemetry/logger.js';

export interface SlackActionsDeps extends AcceptDeps {
  /** Unset: interactivity is off and the route says so. */
  signingSecret?: string;
  store: AcceptDeps['store'] & Pick<ThreadStore, 'rememberOnce'>;
  logger?: Logger;
  /** Approve / Reject on deploy approval requests (deploys unset: refused, saying which setting). */
  deployPresses?: Omit<DeployPressDeps, 'now' | 'logger'>;
  /** How long a deploy press may take before the request is answered without it (tests shorten it). */
  answerWithinMs?: number;
  respond?: typeof respondEphemeral;
  /** Replaces an answered approval request (its buttons) through response_url. */
  replace?: typeof respondReplacing;
}

/** Slack wants the request answered within 3 s (protocol); a slower answer still goes to response_url. */
const ANSWER_WITHIN_MS = 2_500;

const FORM = 'application/x-www-form-urlencoded';

/**
 * POST /slack/actions, Slack's interactivity Request URL. Every request is checked against the
 * signing secret over the RAW body before anything else; a refused one (wrong or missing signature,
 * stale timestamp, replay) is 401 and changes nothing. The presses are recorded and the request is
 * answered at once; the worker carries them out and tells the presser through response_url.
 * Approve / Reject on a deploy is decided within the request (deploy-press.ts) and answered both
 * in the response and through response_url.
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
      // Deploy presses are decided here (a read and one durable write), the presser told at once.
      const answers = answerDeployPresses(request, {
        host: '',
        ...deps.deployPresses,
        now: deps.now,
        ...(deps.logger ? { logger: deps.logger } : {}),
      });
      const respond = deps.respond ?? respondEphemeral;
      void answers.then((a) =>
        a
          ? tellDeployPressers(request, a, {
              ephemeral: respond,
              ...(deps.replace ? { replace: deps.replace } : {}),
            })
          : undefined,
      );
      const deploy = answers.then((a) => a?.map((x) => x.text).join('\n'));
      const res = await acceptActionRequest(request, deps);
      if (res.error) void respond(request.responseUrl, res.text as string);
      const text = res.error ? res.text : await within(deploy, deps.answerWithinMs ?? ANSWER_WITHIN_MS);
      if (text) return reply.status(200).send({ response_type: 'ephemeral', replace_original: false, text });
      return reply.status(200).send();
    });
  });
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The value when `p` settles within `ms`, else undefined (it still settles later). */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
