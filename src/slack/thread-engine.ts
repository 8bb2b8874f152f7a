import type { MessageRecord, OutboxItem, ThreadKind, ThreadRecord } from '../store/types.js';
import { classifySlackError } from './classify.js';
import { reportFailure } from './engine-failure.js';
import { healThread } from './engine-heal.js';
import { completeClaimed, failClaimed, type FenceDeps } from './outbox-fence.js';
import { messageRecord, postMetadata, previousPermalink, QUIET, renderParent } from './engine-message.js';
import { planFailure } from './failure-plan.js';
import { RateGate } from './rate-gate.js';
import { ReplicaLeases, type ReplicaOptions } from './replica-leases.js';
import { findPosted, METADATA_EVENT } from './reconcile.js';
import {
  defaultLimits,
  type DeliveryLimits,
  type ThreadEngineDeps,
  type ThreadRenderer,
} from './engine-types.js';

export { METADATA_EVENT };

const SWEEP_EVERY_MS = 60_000;
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
          claimedFor: lease > 0 ? { ms: lease, now: this.deps.clock.now() } : undefined,
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
      claimedFor: { ms: stale, now },
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
      await failClaimed(this.fence(), item, {
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
    await completeClaimed(this.fence(), item, record);
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
        return messageRecord(
          item,
          thread,
          this.deps.clock.now(),
          { ts: found.ts, channel: found.channel },
          { text: '(recovered)' },
        );
      }
    }
    const now = clock.now();
    const metadata = postMetadata(this.installation, item, thread);
    if (item.kind === 'update_parent') {
      const msg = await renderParent(this.deps.store, thread, renderer, { now });
      await client.update({ channel: thread.channel, ts: thread.parentTs as string, ...msg, metadata });
      this.count(method, 'ok');
      return messageRecord(
        item,
        thread,
        this.deps.clock.now(),
        { ts: thread.parentTs as string, channel: thread.channel },
        msg,
      );
    }
    if (item.kind === 'post_parent') {
      const msg = await renderParent(this.deps.store, thread, renderer, {
        now,
        previousPermalink: await previousPermalink(this.deps.store, client, thread),
      });
      const res = await client.postMessage({ channel: item.channel, ...msg, metadata, ...QUIET });
      this.count(method, 'ok');
      // Slack answers with the channel's ID: edits, permalinks and lookups need the ID, not a name.
      return messageRecord(
        item,
        thread,
        this.deps.clock.now(),
        { ts: res.ts, channel: res.channel || item.channel },
        msg,
      );
    }
    const { broadcast, ...msg } = renderer.reply(thread, item.payload, { now });
    const res = await client.postMessage({
      channel: thread.channel,
      thread_ts: thread.parentTs as string,
      reply_broadcast: broadcast || undefined,
      ...msg,
      metadata,
      ...QUIET,
    });
    this.count(method, 'ok');
    return messageRecord(item, thread, this.deps.clock.now(), { ts: res.ts, channel: thread.channel }, msg);
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
      await healThread(
        {
          deps: this.deps,
          replica: this.replica,
          installation: this.installation,
          postGate: (channel) => this.gate(channel, 'post'),
          failed: (e) => this.failed(item, thread, 'chat.postMessage', e, true),
        },
        item,
        thread,
        plan.heal,
      );
      return;
    }
    if (plan.pauseUntil !== undefined)
      this.gate(item.channel, item.kind === 'update_parent' ? 'update' : 'post').pause(plan.pauseUntil);
    reportFailure(this.deps, item, thread, method, plan, now);
    await failClaimed(this.fence(), item, plan.outcome);
  }

  /** Results are written only while the row is still this process's claim (outbox-fence.ts). */
  private fence(): FenceDeps {
    return { store: this.deps.store, logger: this.deps.logger, owner: this.deps.replica?.owner };
  }

  private count(method: string, result: string): void {
    this.deps.metrics?.slackCalls.inc({ method, result });
  }
}
