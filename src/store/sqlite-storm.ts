import { digestEntry, digestOf, type DigestEntry, type DigestState } from '../core/storm.js';
import type { EpisodeState } from '../core/types.js';
import type { SqliteDb } from './sqlite-db.js';
import { insertOutbox } from './sqlite-outbox.js';
import { toParentMove, toThread, type Row } from './sqlite-rows.js';
import type { ParentMove } from './storm-types.js';
import type { ThreadRecord } from './types.js';

/**
 * The SQLite side of the storm digest and of self-healing threads (storm-types.ts). A digest is a
 * thread of kind 'digest' keyed `storm:<channel>`, one seq per storm; status 'storm' while it runs,
 * 'resolved' once it ended (so retention treats it like any finished thread).
 */
export const digestKey = (channel: string): string => `storm:${channel}`;

export function countNewThreads(s: SqliteDb, channel: string, since: number): number {
  return s.guard(
    () =>
      (
        s
          .sql("SELECT count(*) AS n FROM threads WHERE kind = 'alert' AND channel = ? AND opened_at >= ?")
          .get(channel, since) as Row
      ).n as number,
  );
}

function latest(s: SqliteDb, channel: string): ThreadRecord<DigestState> | null {
  const row = s
    .sql("SELECT * FROM threads WHERE kind = 'digest' AND thread_key = ? ORDER BY seq DESC LIMIT 1")
    .get(digestKey(channel)) as Row | undefined;
  return row ? (toThread(row) as unknown as ThreadRecord<DigestState>) : null;
}

export function latestDigest(s: SqliteDb, channel: string): ThreadRecord<DigestState> | null {
  return s.guard(() => latest(s, channel));
}

export function openDigest(
  s: SqliteDb,
  d: { channel: string; state: DigestState; now: number },
): ThreadRecord<DigestState> {
  return s.tx(() => {
    const last = latest(s, d.channel);
    if (last && last.status === 'storm') return last;
    const seq = (last?.seq ?? 0) + 1;
    const id = `digest:${d.channel}:${seq}`;
    s.sql(
      `INSERT INTO threads (id, kind, thread_key, seq, channel, status, state, opened_at, updated_at)
       VALUES (?, 'digest', ?, ?, ?, 'storm', ?, ?, ?)`,
    ).run(id, digestKey(d.channel), seq, d.channel, JSON.stringify(d.state), d.now, d.now);
    insertOutbox(s, id, d.channel, 'post_parent', null, d.now);
    return latest(s, d.channel) as ThreadRecord<DigestState>;
  });
}

export function endDigest(s: SqliteDb, id: string, endedAt: number): boolean {
  return s.tx(() => {
    const row = s
      .sql("SELECT * FROM threads WHERE id = ? AND kind = 'digest' AND status = 'storm'")
      .get(id) as Row | undefined;
    if (!row) return false;
    const state = { ...(JSON.parse(row.state as string) as DigestState), endedAt };
    s.sql(
      "UPDATE threads SET status = 'resolved', resolved_at = ?, state = ?, updated_at = ? WHERE id = ?",
    ).run(endedAt, JSON.stringify(state), endedAt, id);
    insertOutbox(s, id, row.channel as string, 'update_parent', null, endedAt);
    return true;
  });
}

function upsertEntries(s: SqliteDb, digestId: string, entries: DigestEntry[]): void {
  const upsert = s.sql(
    `INSERT INTO digest_entries (digest_id, thread_id, entry, version) VALUES (?, ?, ?, ?)
     ON CONFLICT (digest_id, thread_id) DO UPDATE SET entry = excluded.entry, version = excluded.version
     WHERE excluded.version >= digest_entries.version`,
  );
  for (const e of entries) upsert.run(digestId, e.threadId, JSON.stringify(e), e.version);
}

export function saveDigestEntries(s: SqliteDb, digestId: string, entries: DigestEntry[]): void {
  if (entries.length === 0) return;
  s.tx(() => upsertEntries(s, digestId, entries));
}

/**
 * Inside commitDecision's transaction: a digest member's table row is written with the episode
 * it shows, so a commit that is refused or rolled back leaves no row behind.
 */
export function saveMemberEntry(s: SqliteDb, ep: EpisodeState): void {
  const digestId = digestOf(ep);
  if (digestId) upsertEntries(s, digestId, [digestEntry(ep)]);
}

export function digestEntries(s: SqliteDb, digestId: string): DigestEntry[] {
  return s.guard(() =>
    (s.sql('SELECT entry FROM digest_entries WHERE digest_id = ? ORDER BY n').all(digestId) as Row[]).map(
      (r) => JSON.parse(r.entry as string) as DigestEntry,
    ),
  );
}

export function moveParent(s: SqliteDb, m: ParentMove): boolean {
  return s.tx(() => {
    const moved = s
      .sql(
        'UPDATE threads SET parent_ts = @toTs, channel = @toChannel, updated_at = @at WHERE id = @threadId AND parent_ts IS @fromTs',
      )
      .run(m).changes;
    if (moved === 0) return false;
    s.sql(
      `INSERT INTO parent_moves (thread_id, reason, from_channel, from_ts, to_channel, to_ts, permalink, at)
       VALUES (@threadId, @reason, @fromChannel, @fromTs, @toChannel, @toTs, @permalink, @at)`,
    ).run(m);
    s.sql("UPDATE outbox SET channel = ? WHERE thread_id = ? AND status IN ('pending', 'inflight')").run(
      m.toChannel,
      m.threadId,
    );
    return true;
  });
}

export function parentMoves(s: SqliteDb, threadId: string): ParentMove[] {
  const rows = s.guard(
    () => s.sql('SELECT * FROM parent_moves WHERE thread_id = ? ORDER BY id').all(threadId) as Row[],
  );
  return rows.map(toParentMove);
}
