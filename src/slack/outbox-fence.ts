import type { MessageRecord, OutboxFailure, OutboxItem, ThreadStore } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';

/** What finishing a claimed outbox row needs: the store, and who claimed it (replicas). */
export interface FenceDeps {
  store: ThreadStore;
  logger?: Logger;
  /** This replica's name in claims; undefined for the only process on its store. */
  owner?: string;
}

/**
 * The engine's result for a row it claimed. The store refuses it when the row is no longer this
 * process's claim: the row was taken back after a stall longer than the lease (or the stale-claim
 * sweep) and is looked up in Slack, maybe by another replica, before anything is sent again. The
 * late result is dropped — finishing or retrying someone else's row could double or lose it.
 */
export async function completeClaimed(d: FenceDeps, item: OutboxItem, record: MessageRecord): Promise<void> {
  if (!(await d.store.completeOutbox(item.id, record, d.owner))) lost(d, item, 'done');
}

export async function failClaimed(d: FenceDeps, item: OutboxItem, failure: OutboxFailure): Promise<void> {
  if (!(await d.store.failOutbox(item.id, failure, d.owner)))
    lost(d, item, failure.dead ? 'dead' : `retry (${failure.error})`);
}

function lost(d: FenceDeps, item: OutboxItem, result: string): void {
  d.logger?.warn(
    { outboxId: item.id, threadId: item.threadId, kind: item.kind, result, owner: d.owner },
    'late result for a Slack action no longer ours (taken back after a stall); ignored',
  );
}
