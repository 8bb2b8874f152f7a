import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../errors.js';

/**
 * Bearer token check for webhooks (Alertmanager's http_config.authorization). Compared in
 * constant time over hashes, so neither content nor length leaks through timing.
 */
export function requireBearer(token: string | undefined): (req: FastifyRequest) => Promise<void> {
  const expected = token ? digest(token) : undefined;
  return async (req) => {
    if (!expected) return;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m || !timingSafeEqual(digest((m[1] as string).trim()), expected)) {
      throw new UnauthorizedError('missing or wrong bearer token (Authorization: Bearer <token>)');
    }
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
