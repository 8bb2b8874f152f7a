import { SlackApiError } from '../errors.js';
import type { OutboxItem, ThreadRecord } from '../store/types.js';
import type { ThreadEngineDeps, ThreadRenderer } from './engine-types.js';
import { messageRecord, postMetadata, previousPermalink, QUIET, renderParent } from './engine-message.js';
import type { HealPlan } from './failure-plan.js';
import type { RateGate } from './rate-gate.js';
import { completeClaimed, failClaimed, type FenceDeps } from './outbox-fence.js';
import { findPosted } from './reconcile.js';
import type { ReplicaLeases } from './replica-leases.js';
import { isChannelMove, oldThreadLink, requeueRepliesAtRisk } from './self-heal.js';
import type { SlackMessage } from './types.js';

/** A heal another replica is carrying out is usually done within one Slack call. */
const HEAL_WAIT_MS = 1_000;

/** What a heal needs of the engine carrying it out. */
export interface HealContext {
  deps: ThreadEngineDeps;
  replica: ReplicaLeases | undefined;
  installation: string;
  /** The engine's chat.postMessage gate for a channel. */
  postGate(channel: string): RateGate;
  /** The fresh parent failed as well: the engine's failure path, told that this was a heal. */
  failed(err: unknown): Promise<void>;
}

/**
 * Self-healing (failure-plan.ts said how): a fresh parent in `heal.channel` that links the old
 * thread and says why, then the thread continues there — later replies and edits follow the new
 * ts. A post whose answer was lost is looked up first, as any post is.
 */
export async function healThread(
  ctx: HealContext,
  item: OutboxItem,
  thread: ThreadRecord<unknown>,
  heal: HealPlan,
): Promise<void> {
  const { store, clock } = ctx.deps;
  const now = clock.now();
  const wait = (retryAt: number) =>
    failClaimed(fence(ctx), item, {
      error: `${heal.reason}_waiting`,
      retryAt,
      uncertain: item.uncertain,
      dead: false,
    });
  const ownToken = item.kind !== 'update_parent' && heal.channel === item.channel;
  const gate = ctx.postGate(heal.channel);
  if (!ownToken && !gate.tryTake(now)) return wait(gate.nextAt(now));
  // Replicas: a reply failing on one and an edit on another must not both post a fresh parent.
  if (ctx.replica && !(await ctx.replica.beginHeal(thread.id, heal.channel, now)))
    return wait(now + HEAL_WAIT_MS);
  try {
    // Healed since `thread` was read (by another replica): the row goes where the thread is now.
    const current = await store.getThread(thread.id);
    if (current?.parentTs !== thread.parentTs || current?.channel !== thread.channel) return wait(now);
    await postFreshParent(ctx, item, thread, heal, now);
  } finally {
    await ctx.replica?.endHeal(thread.id).catch(() => undefined);
  }
}

async function postFreshParent(
  ctx: HealContext,
  item: OutboxItem,
  thread: ThreadRecord<unknown>,
  heal: HealPlan,
  now: number,
): Promise<void> {
  const { store, client, logger, metrics } = ctx.deps;
  const renderer = ctx.deps.renderers[thread.kind] as ThreadRenderer;
  const fromTs = thread.parentTs;
  const fromChannel = fromTs ? thread.channel : item.channel;
  const move = {
    threadId: thread.id,
    reason: heal.reason,
    fromChannel,
    fromTs,
    permalink: await oldThreadLink(client, store, thread),
  };
  let posted: { ts: string; channel: string } | undefined;
  let msg: SlackMessage;
  try {
    msg = await renderParent(
      store,
      thread,
      renderer,
      { now, previousPermalink: await previousPermalink(store, client, thread) },
      { ...move, toChannel: heal.channel, toTs: '', at: now },
    );
    if (item.uncertain) {
      const lookup = { ...item, kind: 'post_parent' as const, channel: heal.channel };
      posted = await findPosted(client, lookup, thread, ctx.installation);
    }
    if (!posted) {
      const res = await client.postMessage({
        channel: heal.channel,
        ...msg,
        metadata: postMetadata(ctx.installation, item, thread),
        ...QUIET,
      });
      metrics?.slackCalls.inc({ method: 'chat.postMessage', result: 'ok' });
      posted = { ts: res.ts, channel: res.channel || heal.channel };
    }
  } catch (err) {
    await ctx.failed(err);
    return;
  }
  const moved = await store.moveParent({ ...move, toChannel: posted.channel, toTs: posted.ts, at: now });
  const log = { thread: thread.threadKey, threadId: thread.id, reason: heal.reason, from: fromChannel };
  if (!moved) {
    // Our heal lease lapsed mid-post and another replica healed the thread first: ours is an
    // extra parent nobody will ever edit. The row goes where the thread is now.
    await deleteExtraParent(ctx, posted, log);
    await failClaimed(fence(ctx), item, {
      error: `${heal.reason}_waiting`,
      retryAt: now,
      uncertain: item.uncertain,
      dead: false,
    });
    return;
  }
  if (isChannelMove(heal.reason)) {
    metrics?.channelFallbacks.inc({ reason: heal.reason });
    logger?.warn({ ...log, to: posted.channel }, 'thread moved to the default channel');
  } else {
    metrics?.parentsReplaced.inc({ reason: heal.reason });
    const requeued =
      heal.reason === 'parent_deleted' ? await requeueRepliesAtRisk(store, thread.id, fromChannel, now) : 0;
    logger?.warn({ ...log, requeued }, 'thread continues under a fresh parent');
  }
  if (item.kind === 'reply') {
    // The reply itself still has to go out: now, under the fresh parent.
    await failClaimed(fence(ctx), item, { error: heal.reason, retryAt: now, uncertain: false, dead: false });
    return;
  }
  await completeClaimed(
    fence(ctx),
    item,
    messageRecord(item, thread, now, { ...posted, kind: 'parent' }, msg),
  );
}

async function deleteExtraParent(
  ctx: HealContext,
  posted: { ts: string; channel: string },
  log: Record<string, unknown>,
): Promise<void> {
  const { client, logger, metrics } = ctx.deps;
  try {
    await client.deleteMessage(posted.channel, posted.ts);
    metrics?.slackCalls.inc({ method: 'chat.delete', result: 'ok' });
    logger?.warn(
      { ...log, ts: posted.ts },
      'another process healed this thread first; our extra parent deleted',
    );
  } catch (err) {
    // Not retried: a stray parent is untidy, not wrong — the thread goes on under the winner's.
    const error = err instanceof SlackApiError ? err.slackError : 'unknown';
    metrics?.slackCalls.inc({ method: 'chat.delete', result: error });
    logger?.warn(
      { ...log, ts: posted.ts, error },
      'another process healed this thread first; one extra parent left',
    );
  }
}

function fence(ctx: HealContext): FenceDeps {
  return { store: ctx.deps.store, logger: ctx.deps.logger, owner: ctx.replica?.owner };
}
