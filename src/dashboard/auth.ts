import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors.js';

/**
 * Dashboard access: `Authorization: Bearer <token>`, or basic auth with any user name and the
 * token as the password, so a browser asks for it by itself. Never from the query string: URLs
 * end up in access logs and browser history. Compared in constant time over hashes, so neither
 * content nor length leaks through timing.
 */
export const DASHBOARD_REALM = 'Basic realm="Alert Threader", charset="UTF-8"';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** The secret a request presents, or undefined. */
export function presentedToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/** A check for one configured token; without a token everything is allowed (the default: local use). */
export function dashboardAuth(token: string | undefined): (authorization: string | undefined) => void {
  const expected = token ? digest(token) : undefined;
  return (authorization) => {
    if (!expected) return;
    const given = presentedToken(authorization);
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      throw new UnauthorizedError(
        'the dashboard needs its token: Authorization: Bearer <token>, or basic auth with the token as password',
      );
    }
  };
}
