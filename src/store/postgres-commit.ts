import { digestEntry, digestOf, type DigestEntry } from '../core/storm.js';
import type { EpisodeState } from '../core/types.js';
import type { Queryable } from './postgres-db.js';
import type { CommitDecision } from './types.js';

/**
 * commitDecisions for PostgreSQL as a few set-based statements instead of three or four round
 * trips per decision: a batch of 200 notifications was ~700 round trips inside one transaction,
 * holding its key leases locked the whole time. The outcome is the one the decisions applied one
 * by one would give (the store contract checks it): a notification already processed changes
 * nothing; each episode ends with its latest state; outbox rows get ids in decision order.
 */
export async function commitBatch(c: Queryable, ds: CommitDecision[]): Promise<boolean[]> {
  const { rows } = await c.query(
    `UPDATE notifications n SET processed_at = v.now, result = v.reason
       FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS v(id, reason, now)
      WHERE n.id = v.id AND n.processed_at IS NULL
      RETURNING n.id`,
    [ds.map((d) => d.notificationId), ds.map((d) => d.reason), ds.map((d) => d.now)],
  );
  const marked = new Set(rows.map((r) => r.id as number));
  // A notification listed twice is marked by its first decision only, as one-by-one commits would.
  const done = ds.map((d) => marked.delete(d.notificationId));
  const kept = ds.filter((_, i) => done[i]);
  await upsertEpisodes(c, kept);
  await insertActions(c, kept);
  return done;
}

/** Duplicates and ignored notifications leave the episode exactly as it was. */
const changesEpisode = (d: CommitDecision): d is CommitDecision & { episode: EpisodeState } =>
  d.episode !== null && d.reason !== 'duplicate' && d.reason !== 'ignored';

async function upsertEpisodes(c: Queryable, ds: CommitDecision[]): Promise<void> {
  // One row per episode (a statement may not upsert a row twice): what it was first inserted
  // with, and its latest state. In order of first sight, so an episode that resolves is written
  // before the key's next one opens (one firing thread per key is a unique index).
  const byId = new Map<string, { first: EpisodeState; last: EpisodeState; now: number }>();
  for (const d of ds.filter(changesEpisode)) {
    const seen = byId.get(d.episode.id);
    if (seen) Object.assign(seen, { last: d.episode, now: d.now });
    else byId.set(d.episode.id, { first: d.episode, last: d.episode, now: d.now });
  }
  if (byId.size === 0) return;
  const eps = [...byId.values()];
  await c.query(
    `INSERT INTO threads (id, kind, thread_key, seq, channel, status, state, opened_at, resolved_at, previous_id, updated_at)
     SELECT id, 'alert', thread_key, seq, channel, status, state, opened_at, resolved_at, previous_id, updated_at
       FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                   $8::bigint[], $9::text[], $10::bigint[])
         WITH ORDINALITY AS v(id, thread_key, seq, channel, status, state, opened_at, resolved_at, previous_id, updated_at, ord)
      ORDER BY ord
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, state = excluded.state,
       resolved_at = excluded.resolved_at, updated_at = excluded.updated_at`,
    [
      eps.map((e) => e.first.id),
      eps.map((e) => e.first.threadKey),
      eps.map((e) => e.first.seq),
      eps.map((e) => e.first.channel),
      eps.map((e) => e.last.status),
      eps.map((e) => JSON.stringify(e.last)),
      eps.map((e) => e.first.openedAt),
      eps.map((e) => e.last.resolvedAt ?? null),
      eps.map((e) => e.first.previous?.id ?? null),
      eps.map((e) => e.now),
    ],
  );
  await upsertMemberEntries(
    c,
    ds.filter(changesEpisode).map((d) => d.episode),
  );
}

/**
 * A digest member's table row is written with the episode it shows, in the commit's transaction
 * (postgres-storm.ts saveMemberEntry, batched): per row the highest version, ties to the later.
 */
async function upsertMemberEntries(c: Queryable, eps: EpisodeState[]): Promise<void> {
  const rows = new Map<string, { digestId: string; entry: DigestEntry }>();
  for (const ep of eps) {
    const digestId = digestOf(ep);
    if (!digestId) continue;
    const entry = digestEntry(ep);
    const key = `${digestId}\u0000${entry.threadId}`;
    const had = rows.get(key);
    if (!had || entry.version >= had.entry.version) rows.set(key, { digestId, entry });
  }
  if (rows.size === 0) return;
  // Sorted, so two replicas saving overlapping rows lock them in the same order.
  const list = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  await c.query(
    `INSERT INTO digest_entries (digest_id, thread_id, entry, version)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])
     ON CONFLICT (digest_id, thread_id) DO UPDATE SET entry = excluded.entry, version = excluded.version
     WHERE excluded.version >= digest_entries.version`,
    [
      list.map((r) => r.digestId),
      list.map((r) => r.entry.threadId),
      list.map((r) => JSON.stringify(r.entry)),
      list.map((r) => r.entry.version),
    ],
  );
}

async function insertActions(c: Queryable, ds: CommitDecision[]): Promise<void> {
  const rows = ds.flatMap((d) =>
    d.actions.map((a) => ({
      threadId: a.episodeId,
      channel: d.episode?.channel ?? '',
      kind: a.type,
      payload: a.type === 'reply' ? JSON.stringify(a.change) : null,
      now: d.now,
    })),
  );
  if (rows.length === 0) return;
  // Ids in decision order: replies are sent in id order.
  await c.query(
    `INSERT INTO outbox (thread_id, channel, kind, payload, not_before, created_at)
     SELECT thread_id, channel, kind, payload, now, now
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
         WITH ORDINALITY AS v(thread_id, channel, kind, payload, now, ord)
      ORDER BY ord`,
    [
      rows.map((r) => r.threadId),
      rows.map((r) => r.channel),
      rows.map((r) => r.kind),
      rows.map((r) => r.payload),
      rows.map((r) => r.now),
    ],
  );
}
