import type { DeployStatus } from '../deploy/types.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from './filters.js';

/**
 * The deployments list's filters, read from the query string so a filtered view is a link people
 * can share. Pure. A value that cannot be right is dropped and reported, never guessed at.
 */
export interface DeployFilter {
  env?: string;
  status?: DeployStatus;
  limit: number;
}

export const DEPLOY_STATUSES: readonly DeployStatus[] = [
  'running',
  'paused',
  'waiting-approval',
  'rolling-back',
  'succeeded',
  'failed',
  'rolled-back',
  'aborted',
];

// Environment names as deploy configs write them (keys of `environments:`).
const ENV_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function parseDeployFilter(query: Record<string, unknown>): {
  filter: DeployFilter;
  ignored: string[];
} {
  const ignored: string[] = [];
  const one = (name: string) => {
    const v = query[name];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const filter: DeployFilter = { limit: DEFAULT_LIMIT };
  const env = one('env');
  if (env !== undefined && ENV_NAME.test(env)) filter.env = env;
  else if (env !== undefined) ignored.push('env');
  const status = one('status');
  if (status !== undefined && (DEPLOY_STATUSES as readonly string[]).includes(status))
    filter.status = status as DeployStatus;
  else if (status !== undefined && status !== 'all') ignored.push('status');
  const limit = one('limit');
  const n = Number(limit);
  if (limit !== undefined && Number.isInteger(n) && n >= 1) filter.limit = Math.min(n, MAX_LIMIT);
  else if (limit !== undefined) ignored.push('limit');
  return { filter, ignored };
}

/** The query string of a filter (defaults left out), for links that keep the other filters. */
export function deployFilterQuery(f: DeployFilter): string {
  const p = new URLSearchParams();
  if (f.env) p.set('env', f.env);
  if (f.status) p.set('status', f.status);
  if (f.limit !== DEFAULT_LIMIT) p.set('limit', String(f.limit));
  const s = p.toString();
  return s ? `?${s}` : '';
}
