import type { ParentMove } from './storm-types.js';
import type { OutboxItem, SlackActionRecord, ThreadKind, ThreadRecord } from './types.js';

/** A row as better-sqlite3 returns it (the PostgreSQL adapter maps its rows with these too). */
export type Row = Record<string, unknown>;

export const ALL_KINDS: ThreadKind[] = ['alert', 'deploy', 'note', 'digest'];

/**
 * Enough for a few processor batches (200). At 20,000 the caches held every open episode and the
 * payload of every notification of a burst: `serve` with 10,000 open threads sat at 315 MB RSS.
 * A miss costs one indexed read of a row SQLite has in its page cache.
 */
const CACHE_LIMIT = 1_000;

/** Map as a bounded cache: the oldest entry goes when it is full. */
export function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > CACHE_LIMIT) map.delete(map.keys().next().value as K);
}

export function toOutbox(r: Row): OutboxItem {
  return {
    id: r.id as number,
    threadId: r.thread_id as string,
    channel: r.channel as string,
    kind: r.kind as OutboxItem['kind'],
    payload: r.payload ? JSON.parse(r.payload as string) : null,
    status: r.status as OutboxItem['status'],
    attempts: r.attempts as number,
    notBefore: r.not_before as number,
    createdAt: r.created_at as number,
    uncertain: r.uncertain === 1,
    lastError: (r.last_error as string | null) ?? null,
  };
}

export function toThread(r: Row): ThreadRecord {
  return {
    id: r.id as string,
    kind: r.kind as ThreadRecord['kind'],
    threadKey: r.thread_key as string,
    seq: r.seq as number,
    channel: r.channel as string,
    parentTs: (r.parent_ts as string | null) ?? null,
    status: r.status as string,
    state: JSON.parse(r.state as string),
    openedAt: r.opened_at as number,
    resolvedAt: (r.resolved_at as number | null) ?? null,
    previousId: (r.previous_id as string | null) ?? null,
    updatedAt: r.updated_at as number,
    interaction: r.interaction ? JSON.parse(r.interaction as string) : null,
  };
}

export function toAction(r: Row): SlackActionRecord {
  const rec: SlackActionRecord = {
    id: r.id as number,
    threadId: r.thread_id as string,
    kind: r.kind as SlackActionRecord['kind'],
    actor: JSON.parse(r.actor as string),
    now: r.created_at as number,
    status: r.status as SlackActionRecord['status'],
    error: (r.error as string | null) ?? null,
  };
  if (r.duration_ms !== null) rec.durationMs = r.duration_ms as number;
  if (r.response_url !== null) rec.responseUrl = r.response_url as string;
  if (r.claimed_at !== null) rec.claimedAt = r.claimed_at as number;
  return rec;
}

export function toParentMove(r: Row): ParentMove {
  return {
    threadId: r.thread_id as string,
    reason: r.reason as ParentMove['reason'],
    fromChannel: r.from_channel as string,
    fromTs: (r.from_ts as string | null) ?? null,
    toChannel: r.to_channel as string,
    toTs: r.to_ts as string,
    permalink: (r.permalink as string | null) ?? null,
    at: r.at as number,
  };
}
