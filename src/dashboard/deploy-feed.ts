import type { DeployStore } from '../store/deploy-types.js';
import { FINAL_STATUSES } from '../store/deploy-types.js';

/** Enough of the newest records to hold every active deploy (at most one per environment). */
const RECENT = 20;

/**
 * A cheap fingerprint of the deploy records, for the ChangePoller: deploys are written by other
 * processes (`threader deploy`), so serve can only notice them by looking. The newest records'
 * status, step and update time, plus the event log's newest seq of each active one (events such
 * as weights-set and analysis are appended between record updates). Only new events are read.
 */
export function deployFingerprint(store: Pick<DeployStore, 'list' | 'events'>): () => Promise<string> {
  const lastSeq = new Map<string, number>();
  return async () => {
    const recent = await store.list({ limit: RECENT });
    const parts: string[] = [];
    const active = new Set<string>();
    for (const r of recent) {
      let part = `${r.id}:${r.status}:${r.stepIndex}:${r.updatedAt}`;
      if (!FINAL_STATUSES.includes(r.status)) {
        active.add(r.id);
        const seen = lastSeq.get(r.id) ?? 0;
        const seq = (await store.events(r.id, seen)).at(-1)?.seq ?? seen;
        lastSeq.set(r.id, seq);
        part += `:${seq}`;
      }
      parts.push(part);
    }
    for (const id of lastSeq.keys()) if (!active.has(id)) lastSeq.delete(id);
    return parts.join('|');
  };
}
