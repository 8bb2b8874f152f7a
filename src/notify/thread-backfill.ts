import type { DeployRecord } from '../deploy/types.js';
import { formatThreadRef, type ThreadRef } from '../slack/thread-ref.js';
import type { DeployStore } from '../store/deploy-types.js';
import type { ThreadStore } from '../store/types.js';
import { deployThreadId } from './narrator.js';

/**
 * A deploy narrated while Slack was down has no `threadRef` on its record: its parent was posted
 * later, by `threader slack flush` (or the next command on the same THREADER_DB), and those know
 * the thread store but not the deploy records. The thread store still holds the answer
 * (`deploy:<id>` with the parent's ts), so the next deploy command of the environment, which holds
 * both stores, writes it onto the record; a rollback finds the thread of the deploy it undoes the
 * same way. What stays out of reach: a thread in another THREADER_DB (another runner).
 */

/** How many of the environment's newest records a command looks at (the ones a rollback may undo). */
export const BACKFILL_LIMIT = 20;

type Ref = Pick<DeployRecord, 'id' | 'threadRef'>;

/** Records that have no thread yet, but whose thread the local store knows: what to write. Pure. */
export function refsToBackfill(
  records: readonly Ref[],
  local: ReadonlyMap<string, ThreadRef>,
): Array<{ id: string; threadRef: string }> {
  const seen = new Set<string>();
  const out: Array<{ id: string; threadRef: string }> = [];
  for (const record of records) {
    const ref = local.get(record.id);
    if (record.threadRef || !ref || seen.has(record.id)) continue;
    seen.add(record.id);
    out.push({ id: record.id, threadRef: formatThreadRef(ref) });
  }
  return out;
}

/** The posted deploy threads of this thread store for these deploys (a queued parent has no ts yet). */
export async function localThreadRefs(
  threads: Pick<ThreadStore, 'getThread'>,
  ids: readonly string[],
): Promise<Map<string, ThreadRef>> {
  const found = new Map<string, ThreadRef>();
  for (const id of new Set(ids)) {
    const thread = await threads.getThread(deployThreadId(id));
    if (thread?.parentTs) found.set(id, { channel: thread.channel, ts: thread.parentTs });
  }
  return found;
}

/**
 * Writes the thread onto the environment's newest records (and `extra`, the deploys a rollback may
 * undo) that lack it; returns every thread found locally, for followUndone.
 */
export async function backfillThreadRefs(
  threads: Pick<ThreadStore, 'getThread'>,
  deploys: Pick<DeployStore, 'list' | 'update'>,
  env: string,
  extra: readonly Ref[] = [],
): Promise<Map<string, ThreadRef>> {
  const records = [...(await deploys.list({ env, limit: BACKFILL_LIMIT })), ...extra];
  const local = await localThreadRefs(
    threads,
    records.filter((r) => !r.threadRef).map((r) => r.id),
  );
  for (const { id, threadRef } of refsToBackfill(records, local)) await deploys.update(id, { threadRef });
  return local;
}

/**
 * `threader slack flush` with the deploy records at hand (THREADER_DEPLOY_DB): the deploy threads
 * this store has posted, written onto records that lack them, so the dashboard links the thread
 * as soon as it exists. Returns how many records were written.
 */
export async function backfillPosted(
  threads: Pick<ThreadStore, 'listThreads'>,
  deploys: Pick<DeployStore, 'get' | 'update'>,
  limit = 200,
): Promise<number> {
  let written = 0;
  for (const thread of await threads.listThreads({ kind: 'deploy', limit })) {
    const prefix = deployThreadId('');
    if (!thread.parentTs || !thread.id.startsWith(prefix)) continue;
    const record = await deploys.get(thread.id.slice(prefix.length));
    if (!record || record.threadRef) continue;
    const threadRef = formatThreadRef({ channel: thread.channel, ts: thread.parentTs });
    await deploys.update(record.id, { threadRef });
    written++;
  }
  return written;
}
