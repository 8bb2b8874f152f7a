import type { Clock } from '../clock.js';
import {
  decideStorm,
  digestOf,
  digestReply,
  type DigestMember,
  type StormPolicy,
  type StormState,
} from '../core/storm.js';
import { toAlertSummary } from '../core/summary.js';
import type { Decision, EpisodeState, ReplyChange, ThreadAction } from '../core/types.js';
import type { PendingNotification, ThreadStore } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';

/** A stage between decide() and the commit that may reshape a decision (the processor calls it). */
export interface DecisionShaper {
  shape(n: PendingNotification, d: Decision): Promise<Decision>;
  /** Right before the batch commits: forget what only this batch needed (idempotent). */
  flush(): Promise<void>;
}

export interface StormStageDeps {
  store: ThreadStore;
  policy: StormPolicy;
  clock: Clock;
  metrics?: Metrics;
  logger?: Logger;
  /** Wakes the thread engine after a storm ended outside a commit. */
  onOutbox?: () => void;
}

/**
 * Storm digest, the effectful half: a new thread on a channel over its budget becomes a member of
 * the channel's digest — its details a reply in the digest thread, its row in the digest table —
 * and every later action of that episode goes there too, resolves included. Demand and storm state
 * come from the store, so replicas sharing it agree. A timer ends storms whose demand fell.
 */
export class StormStage implements DecisionShaper {
  /**
   * New threads decided in this batch, not yet committed (the store cannot count them yet), per
   * channel by notification id: a batch that threw before its commit is shaped again, and its
   * notifications must not count twice.
   */
  private readonly batchNew = new Map<string, Map<number, number>>();
  /** Digests known to exist in this batch (retention may have removed an ended one). */
  private readonly digestExists = new Map<string, boolean>();
  private timer: unknown;
  private running = false;

  constructor(private readonly deps: StormStageDeps) {}

  /** How often running storms are checked for their end. */
  get sweepEveryMs(): number {
    return Math.max(1_000, Math.min(10_000, Math.floor(this.deps.policy.windowMs / 6)));
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  async shape(n: PendingNotification, d: Decision): Promise<Decision> {
    const ep = d.next;
    if (!ep || d.actions.length === 0) return d;
    const member = digestOf(ep);
    if (member) {
      if (await this.exists(member)) return this.redirect(ep, d, member);
      return this.ownThread(ep, d, member);
    }
    if (!d.actions.some((a) => a.type === 'post_parent')) return d;
    const { store, policy } = this.deps;
    const channel = ep.channel;
    // Decided as of arrival, like decide(): a backlog must not look like a storm of its own.
    const now = n.receivedAt;
    const since = now - policy.windowMs + 1;
    let batch = this.batchNew.get(channel);
    if (!batch) this.batchNew.set(channel, (batch = new Map()));
    batch.delete(n.id);
    const inBatch = [...batch.values()].filter((t) => t >= since).length;
    const demand = (await store.countNewThreads(channel, since)) + inBatch + 1;
    batch.set(n.id, now);
    const state = await this.stateOf(channel);
    const verdict = decideStorm(demand, state, now, policy);
    if (verdict.change === 'ended' && state) await this.end(channel, state.digestId, now);
    if (verdict.mode === 'normal') return d;
    const digest = await store.openDigest({
      channel,
      state: { channel, startedAt: now, maxNewThreads: policy.maxNewThreads, windowMs: policy.windowMs },
      now,
    });
    if (verdict.change === 'started') {
      this.deps.metrics?.stormActive.set({ channel }, 1);
      this.deps.logger?.warn(
        { channel, demand, digest: digest.id, budget: policy.maxNewThreads },
        'storm: new groups on this channel go to the digest',
      );
    }
    this.deps.metrics?.stormDigested.inc({ channel });
    (ep as DigestMember).digest = { id: digest.id };
    this.digestExists.set(digest.id, true);
    return this.redirect(ep, d, digest.id);
  }

  /**
   * The members' table rows are no longer written here: commitDecision writes a member's row in
   * the transaction of its episode (fenced like it), so a refused commit leaves none behind.
   */
  async flush(): Promise<void> {
    this.batchNew.clear();
    this.digestExists.clear();
  }

  /** Ends every running storm whose demand fell to the exit level; returns how many ended. */
  async sweep(): Promise<number> {
    const { store, policy, clock } = this.deps;
    const now = clock.now();
    let ended = 0;
    for (const t of await store.listThreads({ kind: 'digest', status: 'storm', limit: 1_000 })) {
      const channel = (t.state as unknown as { channel: string }).channel;
      const demand = await store.countNewThreads(channel, now - policy.windowMs + 1);
      const verdict = decideStorm(demand, { digestId: t.id, startedAt: t.openedAt }, now, policy);
      if (verdict.change === 'ended' && (await this.end(channel, t.id, now))) ended++;
      else this.deps.metrics?.stormActive.set({ channel }, 1);
    }
    if (ended > 0) this.deps.onOutbox?.();
    return ended;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.sweep()
        .catch((err) => this.deps.logger?.warn({ err: String(err) }, 'storm check failed; will try again'))
        .finally(() => this.schedule());
    }, this.sweepEveryMs);
  }

  private async stateOf(channel: string): Promise<StormState | null> {
    const t = await this.deps.store.latestDigest(channel);
    return t && t.status === 'storm' ? { digestId: t.id, startedAt: t.openedAt } : null;
  }

  private async end(channel: string, digestId: string, now: number): Promise<boolean> {
    const ended = await this.deps.store.endDigest(digestId, now);
    if (ended) {
      this.deps.metrics?.stormActive.set({ channel }, 0);
      this.deps.logger?.info(
        { channel, digest: digestId },
        'storm over: new groups get their own threads again',
      );
    }
    return ended;
  }

  private async exists(digestId: string): Promise<boolean> {
    let known = this.digestExists.get(digestId);
    if (known === undefined) {
      known = (await this.deps.store.getThread(digestId)) !== null;
      this.digestExists.set(digestId, known);
    }
    return known;
  }

  /**
   * The episode's story told in the digest: replies there, and its table row instead of a parent
   * (the store writes the row with the episode, from the `digest` pointer it carries).
   */
  private redirect(ep: EpisodeState, d: Decision, digestId: string): Decision {
    const actions: ThreadAction[] = [];
    for (const a of d.actions) {
      if (a.type === 'post_parent') actions.push(this.reply(digestId, ep, joined(ep)));
      else if (a.type === 'reply') actions.push(this.reply(digestId, ep, a.change));
    }
    actions.push({ type: 'update_parent', episodeId: digestId });
    return { ...d, actions };
  }

  /**
   * A member whose digest is gone (retention removed the ended digest while the group still
   * fired): its thread gets its own parent now, showing the whole episode, and goes on there —
   * the actions can no longer go to the digest, and a resolve must never be dropped.
   */
  private ownThread(ep: EpisodeState, d: Decision, digestId: string): Decision {
    delete (ep as DigestMember).digest;
    this.deps.logger?.warn(
      { thread: ep.threadKey, episode: ep.id, digest: digestId },
      'storm digest of this group is gone; the group gets its own thread',
    );
    const rest = d.actions.filter((a) => a.type !== 'post_parent' && a.type !== 'update_parent');
    return {
      ...d,
      actions: [{ type: 'post_parent', episodeId: ep.id }, ...rest],
    };
  }

  private reply(digestId: string, ep: EpisodeState, change: ReplyChange): ThreadAction {
    // The outbox row carries the digest reply (member + change); the row's thread is the digest.
    return { type: 'reply', episodeId: digestId, change: digestReply(ep, change) as unknown as ReplyChange };
  }
}

/** What a group's first reply in the digest tells: every alert it fired with. */
function joined(ep: EpisodeState): ReplyChange {
  return {
    kind: 'firing',
    alerts: Object.values(ep.alerts)
      .filter((a) => a.status === 'firing')
      .map(toAlertSummary),
  };
}
