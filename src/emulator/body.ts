/**
 * Reads a Web API request the way Slack does (protocol: docs.slack.dev/apis/web-api, "POST bodies"):
 * form-encoded bodies may carry the token as a parameter; JSON bodies must use the Authorization
 * header (a token inside JSON is ignored), and JSON without a charset earns a `missing_charset` warning.
 */
import type { Args } from './args.js';

export interface ParsedBody {
  args: Args;
  token?: string;
  bodyError?: string;
  warnings: string[];
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : undefined;
}

function fromParams(params: URLSearchParams): Args {
  const args: Args = {};
  for (const [key, value] of params) args[key] = value;
  return args;
}

export function parseApiRequest(input: {
  httpMethod: string;
  contentType?: string;
  authorization?: string;
  query: URLSearchParams;
  rawBody: string;
}): ParsedBody {
  const query = fromParams(input.query);
  const headerToken = bearer(input.authorization);
  const warnings: string[] = [];
  const done = (args: Args, bodyToken?: unknown, bodyError?: string): ParsedBody => {
    const token = headerToken ?? (typeof bodyToken === 'string' ? bodyToken : undefined);
    const out: ParsedBody = { args, warnings };
    if (token !== undefined) out.token = token;
    if (bodyError !== undefined) out.bodyError = bodyError;
    return out;
  };

  if (input.httpMethod === 'GET' || input.rawBody.length === 0) return done(query, query.token);

  const [type = '', ...params] = (input.contentType ?? '').split(';').map((s) => s.trim().toLowerCase());
  const hasCharset = params.some((p) => p.startsWith('charset='));
  if (type === 'application/x-www-form-urlencoded') {
    if (hasCharset) warnings.push('superfluous_charset');
    const args = { ...query, ...fromParams(new URLSearchParams(input.rawBody)) };
    return done(args, args.token);
  }
  if (type === 'application/json') {
    if (!hasCharset) warnings.push('missing_charset');
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.rawBody);
    } catch {
      return done(query, undefined, 'invalid_json');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return done(query, undefined, 'json_not_object');
    }
    return done({ ...query, ...(parsed as Args) });
  }
  return done(query, undefined, type === '' ? 'missing_post_type' : 'invalid_post_type');
}
