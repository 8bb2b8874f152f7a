import type { MessageRecord, OutboxItem, ThreadKind, ThreadRecord } from '../store/types.js';
import { classifySlackError } from './classify.js';
import { planFailure, type HealPlan } from './failure-plan.js';
import { RateGate } from './rate-gate.js';
import { ReplicaLeases, type ReplicaOptions } from './replica-leases.js';
import { findPosted, METADATA_EVENT } from './reconcile.js';
import { isChannelMove, oldThreadLink, requeueRepliesAtRisk, withMoveNotice } from './self-heal.js';
import type { ParentMove } from '../store/storm-types.js';

import type { SlackMessage } from './types.js';
import {
  defaultLimits,
  type DeliveryLimits,
  type ThreadEngineDeps,
  type ThreadRenderer,
} from './engine-types.js';

export { METADATA_EVENT };

const SWEEP_EVERY_MS = 60_000;
/** A heal another replica is carrying out is usually done within one Slack call. */
const HEAL_WAIT_MS = 1_000;
export type { DeliveryLimits, Renderers, ThreadEngineDeps, ThreadRenderer } from './engine-types.js';

/**
 * THE Slack thread engine, shared by alert threads and deploy threads: drains the outbox per
 * channel within Slack's limits, parent first, replies in order, edits coalesced (an edit renders
 * the latest state, so one call settles every older pending edit). A post whose outcome is
 * unknown (lost response, crash mid-call) is looked up in Slack by its metadata before it is ever
 * posted again.
 */
export class ThreadEngine {
  private readonly limits: DeliveryLimits;
  private readonly gates = new Map<string, RateGate>();
  private readonly busyThreads = new Set<string>();
  /**
   * One chat.postMessage in flight per channel: calls then reach Slack spaced as our gate spaced
   * them (several at once can arrive bunched and draw a 429), and a channel's posts keep their order.
   */
  private readonly postingChannels = new Set<string>();
  private inflight = 0;
  private timer: unknown;
  private wakeAt = Infinity;
  private running = false;
  private ticking = false;
  private again = false;
  private readonly idle = new Set<() => void>();
  private readonly deliveries = new Set<Promise<void>>();
  /** Thread kinds this engine renders; rows of other kinds belong to another engine. */
  private readonly kinds: ThreadKind[];
  private installation = '';
  private lastSweepAt = 0;
  /** Set when several replicas share the store (replica-leases.ts). */
  private readonly replica: ReplicaLeases | undefined;
  private updating = 0;

  constructor(private readonly deps: ThreadEngineDeps & { replica?: ReplicaOptions }) {
    this.limits = { ...defaultLimits, ...deps.limits };
    this.kinds = (Object.keys(deps.renderers) as ThreadKind[]).filter((k) => deps.renderers[k]);
    if (deps.replica)
      this.replica = new ReplicaLeases({
        ...deps.replica,
        store: deps.store,
        clock: deps.clock,
        kinds: this.kinds,
        tokenIntervalMs: Math.max(1000 / this.limits.postsPerSecond, 60_000 / this.limits.updatesPerMinute),
        logger: deps.logger,
      });
  }

  async start(): Promise<void> {
    this.running = true;
    this.installation = await this.deps.store.installationId();
    const lease = this.deps.recoverLeaseMs ?? 0;
    // With replicas, rows in flight may be another replica's live calls: only the silent's come back.
    const recovered = this.replica
      ? 0
      : await this.deps.store.recoverInflight({
          kinds: this.kinds,
          claimedBefore: lease > 0 ? this.deps.clock.now() - lease : undefined,
        });
    if (recovered > 0)
      this.deps.logger?.warn({ recovered }, 'outbox items were in flight at the last stop; reconciling');
    await this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Graceful stop: no new calls, and the calls in flight are awaited (up to `timeoutMs`) so their
   * results are recorded — a post cut off here would have to be looked up after the restart.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.deliveries]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    await this.replica?.releaseAll().catch(() => undefined);
  }

  /** New work may be there (called after a commit); cheap and idempotent. */
  kick(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    void this.tick();
  }

  /** Resolves when nothing is deliverable or in flight (tests, graceful shutdown). */
  async whenIdle(): Promise<void> {
    if (
      this.inflight === 0 &&
      !this.ticking &&
      (await this.deps.store.deliverable(Infinity, 1, { kinds: this.kinds })).length === 0
    )
      return;
    await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  /**
   * chat.postMessage is limited per channel; chat.update is Tier 3, counted per method across the
   * whole workspace, so edits share one gate whatever their channel.
   */
  private gate(channel: string, method: 'post' | 'update'): RateGate {
    const key = method === 'post' ? `${channel}\u0000post` : 'update';
    let g = this.gates.get(key);
    if (!g) {
      const l = this.limits;
      g =
        method === 'post'
          ? new RateGate(l.postsPerSecond, l.postBurst, this.deps.clock.now())
          : new RateGate(l.updatesPerMinute / 60, l.updateBurst, this.deps.clock.now());
      this.gates.set(key, g);
    }
    return g;
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    let nextAt = Infinity;
    try {
      await this.sweepStaleClaims();
      do {
        this.again = false;
        const now = this.deps.clock.now();
        await this.replica?.sweep(now);
        // One post per channel is in flight at a time: a few rows per channel are all a scan can
        // use, and with replicas the rows another replica holds the lease for stay in the database.
        let items = await this.deps.store.deliverable(now, 500, {
          kinds: this.kinds,
          perChannel: 3,
          owner: this.deps.replica?.owner,
        });
        if (this.replica)
          items = await this.replica.filter(items, [...this.postingChannels], this.updating > 0, now);
        nextAt = Infinity;
        for (const item of items) {
          if (this.inflight >= this.limits.maxInflight) break;
          if (this.busyThreads.has(item.threadId)) continue;
          const posts = item.kind !== 'update_parent';
          if (posts && this.postingChannels.has(item.channel)) continue;
          const gate = this.gate(item.channel, item.kind === 'update_parent' ? 'update' : 'post');
          if (!gate.tryTake(now)) {
            nextAt = Math.min(nextAt, gate.nextAt(now));
            continue;
          }
          if (!(await this.deps.store.claimOutbox(item.id, now, this.deps.replica?.owner))) continue;
          this.launch(item);
        }
      } while (this.again && this.running);
    } catch (err) {
      this.deps.logger?.error({ err: String(err) }, 'outbox scan failed');
      nextAt = this.deps.clock.now() + 1000;
    } finally {
      this.ticking = false;
    }
    this.schedule(Math.min(nextAt, this.deps.clock.now() + (this.deps.idlePollMs ?? 1000)));
    if (this.inflight === 0) await this.notifyIfIdle();
  }

  /**
   * A row can stay in flight with no call behind it: its result could not be recorded (the store
   * failed right after Slack answered). Once a minute, rows claimed longer ago than any call can
   * take go back to pending, marked for a lookup, so they are delivered without a restart.
   */
  private async sweepStaleClaims(): Promise<void> {
    const now = this.deps.clock.now();
    if (now - this.lastSweepAt < SWEEP_EVERY_MS) return;
    this.lastSweepAt = now;
    const stale = Math.max(SWEEP_EVERY_MS, 5 * (this.deps.uncertainGraceMs ?? 10_000));
    const recovered = await this.deps.store.recoverInflight({
      kinds: this.kinds,
      claimedBefore: now - stale,
    });
    if (recovered > 0) this.deps.logger?.warn({ recovered }, 'took back Slack actions stuck in flight');
  }

  private schedule(at: number): void {
    if (!this.running) return;
    if (this.timer !== undefined && at >= this.wakeAt) return;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.wakeAt = at;
    this.timer = this.deps.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.wakeAt = Infinity;
        this.kick();
      },
      Math.max(0, at - this.deps.clock.now()),
    );
  }

  private async notifyIfIdle(): Promise<void> {
    if (this.idle.size === 0) return;
    if (
      (await this.deps.store.deliverable(Infinity, 1, { kinds: this.kinds })).length > 0 ||
      this.inflight > 0
    )
      return;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  private launch(item: OutboxItem): void {
    this.inflight++;
    this.busyThreads.add(item.threadId);
    const posts = item.kind !== 'update_parent';
    if (posts) this.postingChannels.add(item.channel);
    else this.updating++;
    const delivery: Promise<void> = this.deliver(item)
      .catch((err) => this.deps.logger?.error({ err: String(err), outboxId: item.id }, 'delivery crashed'))
      .finally(() => {
        this.inflight--;
        this.deliveries.delete(delivery);
        this.busyThreads.delete(item.threadId);
        if (posts) this.postingChannels.delete(item.channel);
        else this.updating--;
        this.kick();
      });
    this.deliveries.add(delivery);
  }

  private async deliver(item: OutboxItem): Promise<void> {
    const { store, clock } = this.deps;
    const thread = await store.getThread<unknown>(item.threadId);
    const renderer = thread && (this.deps.renderers[thread.kind] as ThreadRenderer | undefined);
    if (!thread || !renderer) {
      await store.failOutbox(item.id, {
        error: 'thread_missing',
        retryAt: clock.now(),
        uncertain: false,
        dead: true,
      });
      return;
    }
    const method = item.kind === 'update_parent' ? 'chat.update' : 'chat.postMessage';
    let record: MessageRecord;
    try {
      record = await this.send(item, thread, renderer, method);
    } catch (err) {
      await this.failed(item, thread, method, err);
      return;
    }
    // Outside the Slack try: a store failure here is no Slack failure. The row stays in flight and
    // the stale-claim sweep brings it back for a lookup, so the message is neither lost nor doubled.
    await store.completeOutbox(item.id, record);
  }

  /** The Slack side of one outbox row: a lookup first when a previous attempt may have landed. */
  private async send(
    item: OutboxItem,
    thread: ThreadRecord<unknown>,
    renderer: ThreadRenderer,
    method: string,
  ): Promise<MessageRecord> {
    const { client, clock } = this.deps;
    if (item.uncertain && item.kind !== 'update_parent') {
      const found = await findPosted(client, item, thread, this.installation);
      this.count('conversations.history', 'ok');
      if (found) {
        this.deps.metrics?.slackReconciled.inc();
        this.deps.logger?.info(
          { thread: thread.threadKey, outboxId: item.id, ts: found.ts },
          'found a lost post in Slack',
        );
        return this.record(item, thread, found.ts, { text: '(recovered)' }, found.channel);
      }
    }
    const now = clock.now();
    const metadata = {
      event_type: METADATA_EVENT,
      event_payload: { installation: this.installation, outbox_id: item.id, thread_id: thread.id },
    };
    const quiet = { unfurl_links: false, unfurl_media: false };
    if (item.kind === 'update_parent') {
      const msg = await this.renderParent(thread, renderer, { now });
      await client.update({ channel: thread.channel, ts: thread.parentTs as string, ...msg, metadata });
      this.count(method, 'ok');
      return this.record(item, thread, thread.parentTs as string, msg, thread.channel);
    }
    if (item.kind === 'post_parent') {
      const msg = await this.renderParent(thread, renderer, {
        now,
        previousPermalink: await this.previousPermalink(thread),
      });
      const res = await client.postMessage({ channel: item.channel, ...msg, metadata, ...quiet });
      this.count(method, 'ok');
      // Slack answers with the channel's ID: edits, permalinks and lookups need the ID, not a name.
      return this.record(item, thread, res.ts, msg, res.channel || item.channel);
    }
    const { broadcast, ...msg } = renderer.reply(thread, item.payload, { now });
    const res = await client.postMessage({
      channel: thread.channel,
      thread_ts: thread.parentTs as string,
      reply_broadcast: broadcast || undefined,
      ...msg,
      metadata,
      ...quiet,
    });
    this.count(method, 'ok');
    return this.record(item, thread, res.ts, msg, thread.channel);
  }

  private async previousPermalink(thread: ThreadRecord<unknown>): Promise<string | undefined> {
    if (!thread.previousId) return undefined;
    const prev = await this.deps.store.getThread(thread.previousId);
    if (!prev?.parentTs) return undefined;
    try {
      return await this.deps.client.getPermalink(prev.channel, prev.parentTs);
    } catch {
      return undefined; // a missing link is not worth delaying the alert
    }
  }

  private record(
    item: OutboxItem,
    thread: ThreadRecord<unknown>,
    ts: string,
    msg: SlackMessage,
    channel: string,
  ): MessageRecord {
    const kind = item.kind === 'post_parent' ? 'parent' : item.kind === 'reply' ? 'reply' : 'edit';
    return {
      threadId: thread.id,
      outboxId: item.id,
      channel,
      ts,
      kind,
      text: msg.text,
      blocks: recordedContent(msg),
      at: this.deps.clock.now(),
    };
  }

  private async failed(
    item: OutboxItem,
    thread: ThreadRecord<unknown>,
    method: string,
    err: unknown,
    healing = false,
  ) {
    const now = this.deps.clock.now();
    const c = classifySlackError(err);
    const plan = planFailure(
      item,
      c,
      now,
      {
        policy: this.deps.policy,
        uncertainGraceMs: this.deps.uncertainGraceMs ?? 10_000,
        blockedRetryMs: this.deps.blockedRetryMs ?? 60_000,
        fallbackChannel: this.deps.fallbackChannel,
      },
      {
        channel: item.kind === 'post_parent' && !thread.parentTs ? item.channel : thread.channel,
        healing,
      },
    );
    if (plan.kind === 'heal' && plan.heal) {
      this.count(method, c.error);
      await this.heal(item, thread, plan.heal);
      return;
    }
    const { error, retryAt } = plan.outcome;
    this.count(method, error);
    const log = {
      thread: thread.threadKey,
      threadId: thread.id,
      outboxId: item.id,
      channel: item.channel,
      method,
      error,
    };
    const retryIn = { retryInMs: retryAt - now, attempt: item.attempts };
    if (plan.pauseUntil !== undefined) {
      this.gate(item.channel, item.kind === 'update_parent' ? 'update' : 'post').pause(plan.pauseUntil);
      this.deps.metrics?.slackRateLimited.inc({ method });
      this.deps.metrics?.slackRetryAfter.inc({ method }, (plan.pauseUntil - now) / 1000);
    }
    if (plan.kind === 'permanent') this.deps.metrics?.deliveryFailures.inc({ error });
    const logger = this.deps.logger;
    if (plan.kind === 'rate_limited') logger?.warn({ ...log, ...retryIn }, 'Slack rate limited this channel');
    else if (plan.kind === 'blocked')
      logger?.error({ ...log, ...retryIn }, 'Slack refused the call until a person fixes it; keeping it');
    else if (plan.kind === 'permanent') logger?.error(log, 'Slack refused the message; not retrying');
    else logger?.warn({ ...log, ...retryIn }, 'Slack call failed; will retry');
    await this.deps.store.failOutbox(item.id, plan.outcome);
  }

  /** The parent as the renderer draws it, plus the notice of where it moved from (self-heal.ts). */
  private async renderParent(
    thread: ThreadRecord<unknown>,
    renderer: ThreadRenderer,
    ctx: { now: number; previousPermalink?: string },
    pending?: ParentMove,
  ): Promise<SlackMessage> {
    const data = renderer.load ? await renderer.load(thread) : undefined;
    const msg = renderer.parent(thread, { ...ctx, data });
    const moves = await this.deps.store.parentMoves(thread.id);
    return withMoveNotice(msg, pending ? [...moves, pending] : moves);
  }

  /**
   * Self-healing (failure-plan.ts said how): a fresh parent in `heal.channel` that links the old
   * thread and says why, then the thread continues there — later replies and edits follow the new
   * ts. A post whose answer was lost is looked up first, as any post is.
   */
  private async heal(item: OutboxItem, thread: ThreadRecord<unknown>, heal: HealPlan): Promise<void> {
    const now = this.deps.clock.now();
    const wait = (retryAt: number) =>
      this.deps.store.failOutbox(item.id, {
        error: `${heal.reason}_waiting`,
        retryAt,
        uncertain: item.uncertain,
        dead: false,
      });
    const ownToken = item.kind !== 'update_parent' && heal.channel === item.channel;
    const gate = this.gate(heal.channel, 'post');
    if (!ownToken && !gate.tryTake(now)) return wait(gate.nextAt(now));
    // Replicas: a reply failing on one and an edit on another must not both post a fresh parent.
    if (this.replica && !(await this.replica.beginHeal(thread.id, heal.channel, now)))
      return wait(now + HEAL_WAIT_MS);
    try {
      // Healed since `thread` was read (by another replica): the row goes where the thread is now.
      const current = await this.deps.store.getThread(thread.id);
      if (current?.parentTs !== thread.parentTs || current?.channel !== thread.channel) return wait(now);
      await this.postFreshParent(item, thread, heal, now);
    } finally {
      await this.replica?.endHeal(thread.id).catch(() => undefined);
    }
  }

  private async postFreshParent(
    item: OutboxItem,
    thread: ThreadRecord<unknown>,
    heal: HealPlan,
    now: number,
  ): Promise<void> {
    const { store, client } = this.deps;
    const renderer = this.deps.renderers[thread.kind] as ThreadRenderer;
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
      msg = await this.renderParent(
        thread,
        renderer,
        { now, previousPermalink: await this.previousPermalink(thread) },
        { ...move, toChannel: heal.channel, toTs: '', at: now },
      );
      if (item.uncertain) {
        const lookup = { ...item, kind: 'post_parent' as const, channel: heal.channel };
        posted = await findPosted(client, lookup, thread, this.installation);
      }
      if (!posted) {
        const res = await client.postMessage({
          channel: heal.channel,
          ...msg,
          metadata: {
            event_type: METADATA_EVENT,
            event_payload: { installation: this.installation, outbox_id: item.id, thread_id: thread.id },
          },
          unfurl_links: false,
          unfurl_media: false,
        });
        this.count('chat.postMessage', 'ok');
        posted = { ts: res.ts, channel: res.channel || heal.channel };
      }
    } catch (err) {
      await this.failed(item, thread, 'chat.postMessage', err, true);
      return;
    }
    const moved = await store.moveParent({ ...move, toChannel: posted.channel, toTs: posted.ts, at: now });
    const log = { thread: thread.threadKey, threadId: thread.id, reason: heal.reason, from: fromChannel };
    if (!moved) this.deps.logger?.warn(log, 'another process healed this thread first; one extra parent');
    else if (isChannelMove(heal.reason)) {
      this.deps.metrics?.channelFallbacks.inc({ reason: heal.reason });
      this.deps.logger?.warn({ ...log, to: posted.channel }, 'thread moved to the default channel');
    } else {
      this.deps.metrics?.parentsReplaced.inc({ reason: heal.reason });
      const requeued =
        heal.reason === 'parent_deleted' ? await requeueRepliesAtRisk(store, thread.id, fromChannel, now) : 0;
      this.deps.logger?.warn({ ...log, requeued }, 'thread continues under a fresh parent');
    }
    if (item.kind === 'reply') {
      // The reply itself still has to go out: now, under the fresh parent.
      await store.failOutbox(item.id, { error: heal.reason, retryAt: now, uncertain: false, dead: false });
      return;
    }
    await store.completeOutbox(item.id, {
      threadId: thread.id,
      outboxId: item.id,
      channel: posted.channel,
      ts: posted.ts,
      kind: 'parent',
      text: msg.text,
      blocks: recordedContent(msg),
      at: now,
    });
  }

  private count(method: string, result: string): void {
    this.deps.metrics?.slackCalls.inc({ method, result });
  }
}

/** What the timeline keeps of a message: its blocks and, when there are any, its attachments too. */
function recordedContent(msg: SlackMessage): unknown {
  if (!msg.attachments) return msg.blocks ?? null;
  return { blocks: msg.blocks ?? null, attachments: msg.attachments };
}
