import type { DigestEntry, DigestState } from '../core/storm.js';
import type { ThreadRecord } from './types.js';

/** Why a thread's parent moved (slack/classify.ts SlackHeal). */
export type ParentMoveReason = 'parent_deleted' | 'edit_refused' | 'channel_archived' | 'channel_not_found';

/** A thread continued under a fresh parent: where from, where to, and a link to the old one. */
export interface ParentMove {
  threadId: string;
  reason: ParentMoveReason;
  fromChannel: string;
  /** Null when the first parent could never be posted there (archived before we posted). */
  fromTs: string | null;
  toChannel: string;
  toTs: string;
  /** Permalink of the old parent, or of a message of the old thread; null when Slack gave none. */
  permalink: string | null;
  at: number;
}

/**
 * The store methods of the storm digest and of self-healing threads, part of the ThreadStore seam
 * (every adapter implements them; contract.test-suite.ts covers them). Demand and storm state are
 * read from the store, never only from memory, so replicas sharing a database agree.
 */
export interface StormStore {
  /** Alert threads opened on `channel` at or after `since`: the channel's new-thread demand. */
  countNewThreads(channel: string, since: number): Promise<number>;
  /** The channel's latest digest thread (running or ended), or null. */
  latestDigest(channel: string): Promise<ThreadRecord<DigestState> | null>;
  /**
   * The channel's running digest, opened (with its parent queued) when there is none. Replicas
   * racing to open one get the same thread: exactly one digest per channel per storm.
   */
  openDigest(d: { channel: string; state: DigestState; now: number }): Promise<ThreadRecord<DigestState>>;
  /** Ends a running digest and queues the edit saying so; false when it was not running. */
  endDigest(id: string, endedAt: number): Promise<boolean>;
  /** Upserts table rows, one per member; an older version of a row never replaces a newer one. */
  saveDigestEntries(digestId: string, entries: DigestEntry[]): Promise<void>;
  /** Table rows in the order the groups joined. */
  digestEntries(digestId: string): Promise<DigestEntry[]>;
  /**
   * Points the thread at its fresh parent (compare-and-set on `fromTs`, so two engines healing the
   * same thread cannot both win), records the move and re-addresses its pending outbox rows.
   */
  moveParent(move: ParentMove): Promise<boolean>;
  /** Every move of a thread's parent, oldest first. */
  parentMoves(threadId: string): Promise<ParentMove[]>;
}
