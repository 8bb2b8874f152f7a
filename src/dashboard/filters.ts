/**
 * The threads list's filters, read from the query string so a filtered view is a link people can
 * share. Pure. A value that cannot be right is dropped and reported, never guessed at.
 */
export type ThreadState = 'firing' | 'resolved';

export interface ThreadFilter {
  state?: ThreadState;
  channel?: string;
  limit: number;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

export function parseThreadFilter(query: Record<string, unknown>): {
  filter: ThreadFilter;
  ignored: string[];
} {
  const ignored: string[] = [];
  const one = (name: string) => {
    const v = query[name];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const filter: ThreadFilter = { limit: DEFAULT_LIMIT };
  const state = one('state');
  if (state === 'firing' || state === 'resolved') filter.state = state;
  else if (state !== undefined && state !== 'all') ignored.push('state');
  const channel = one('channel');
  // Channel IDs (C0123…) or names: letters, digits, - _ . only.
  if (channel !== undefined && /^[A-Za-z0-9_.-]{1,80}$/.test(channel)) filter.channel = channel;
  else if (channel !== undefined) ignored.push('channel');
  const limit = one('limit');
  const n = Number(limit);
  if (limit !== undefined && Number.isInteger(n) && n >= 1) filter.limit = Math.min(n, MAX_LIMIT);
  else if (limit !== undefined) ignored.push('limit');
  return { filter, ignored };
}

/** The query string of a filter (defaults left out), for links that keep the other filters. */
export function filterQuery(f: ThreadFilter): string {
  const p = new URLSearchParams();
  if (f.state) p.set('state', f.state);
  if (f.channel) p.set('channel', f.channel);
  if (f.limit !== DEFAULT_LIMIT) p.set('limit', String(f.limit));
  const s = p.toString();
  return s ? `?${s}` : '';
}
