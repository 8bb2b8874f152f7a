/**
 * Headers on every dashboard response. The CSP is strict (no inline script or style, nothing
 * from elsewhere) and is the one the nginx edge template sends too (examples/nginx): pages load
 * only /assets/* and talk only to /events and themselves. TLS-level headers (HSTS) are the edge's.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  // Links lead to Slack and Alertmanager: they need not learn the dashboard's URLs.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};
