import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, ValidationError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';

/** Fastify's own client errors, renamed into our codes with a message a person can act on. */
const FASTIFY_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'request body is larger than the limit' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: 'Content-Type must be application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_json', message: 'request body is empty; expected JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', message: 'request body is not valid JSON' },
};

/**
 * Errors → HTTP status, in ONE place. Body: {error: code, message, problems?}.
 */
export function errorHandler(logger?: Logger) {
  return (err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
    if (isAppError(err)) {
      const body: Record<string, unknown> = { error: err.code, message: err.message };
      if (err instanceof ValidationError) body.problems = err.problems;
      if (err.httpStatus >= 500) logger?.error({ route: routeOf(req), error: err.code }, err.message);
      return reply.status(err.httpStatus).send(body);
    }
    const fe = err as FastifyError;
    const status = fe.statusCode && fe.statusCode >= 400 ? fe.statusCode : 500;
    const known = FASTIFY_ERRORS[fe.code ?? ''];
    if (known) return reply.status(status).send({ error: known.code, message: known.message });
    if (status < 500) return reply.status(status).send({ error: 'bad_request', message: fe.message });
    logger?.error({ route: routeOf(req), err: String(err) }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'internal error' });
  };
}

export function routeOf(req: FastifyRequest): string {
  return req.routeOptions?.url ?? 'unmatched';
}
