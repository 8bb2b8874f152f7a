import type { Clock } from '../clock.js';
import type { OutboxItem, ThreadKind, ThreadStore } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';

export interface ReplicaOptions {
  /** This process's name in lease rows (random per start). */
  owner: string;
  /** A lease lapses this long after its owner last renewed it; a silent owner is dead after it. */
  leaseMs: number;
}

/**
 * What keeps Slack's limits global when several replicas share one store. chat.postMessage is
 * limited per channel and chat.update per workspace, so each channel's posts (lease
 * `post:<channel>`) and all edits (lease `update`) go through one replica at a time. A replica
 * renews the leases it has work for on every scan and lets one go after it had no work for it
 * for `lingerMs`: longer than one token interval, so the next owner's burst never lands on top
 * of ours. A replica that dies stops renewing; after `leaseMs` its leases are free and its rows
 * in flight are taken back (marked uncertain: looked up in Slack before any repost).
 */
export class ReplicaLeases {
  private held = new Set<string>();
  private readonly lastWanted = new Map<string, number>();
  private lastSweepAt = 0;
  private readonly lingerMs: number;

  constructor(
    private readonly opts: ReplicaOptions & {
      store: ThreadStore;
      clock: Clock;
      kinds: ThreadKind[];
      /** One token interval of the slowest gate (ms). */
      tokenIntervalMs: number;
      logger?: Logger;
    },
  ) {
    this.lingerMs = Math.min(opts.leaseMs / 2, Math.max(1_500, 2 * opts.tokenIntervalMs));
  }

  /** This replica's name in leases and claims. */
  get owner(): string {
    return this.opts.owner;
  }

  static leaseOf(item: Pick<OutboxItem, 'kind' | 'channel'>): string {
    return item.kind === 'update_parent' ? 'update' : `post:${item.channel}`;
  }

  /**
   * Renews and takes the leases for `items` and for calls still in flight (posts to
   * `postingChannels`, edits when `updating`), lets go of the ones idle past the linger, and
   * returns the items this replica may send now.
   */
  async filter(
    items: OutboxItem[],
    postingChannels: string[],
    updating: boolean,
    now: number,
  ): Promise<OutboxItem[]> {
    const { store, owner, leaseMs } = this.opts;
    const busy = postingChannels.map((c) => `post:${c}`).concat(updating ? ['update'] : []);
    for (const name of [...items.map(ReplicaLeases.leaseOf), ...busy]) this.lastWanted.set(name, now);
    const wanted = [...this.lastWanted].filter(([, at]) => now - at < this.lingerMs).map(([n]) => n);
    const idle = [...this.held].filter((n) => !wanted.includes(n));
    for (const n of [...this.lastWanted.keys()]) if (!wanted.includes(n)) this.lastWanted.delete(n);
    if (idle.length > 0) await store.releaseLeases(owner, idle);
    // Called even with nothing wanted: it is also this replica's heartbeat.
    this.held = new Set(await store.holdLeases(wanted, { owner, now, ttlMs: leaseMs }));
    return items.filter((i) => this.held.has(ReplicaLeases.leaseOf(i)));
  }

  static healLease(threadId: string): string {
    return `heal:${threadId}`;
  }

  /**
   * Self-healing: one replica heals a thread at a time (its `heal:<thread>` lease, given back with
   * `endHeal`), and the fresh parent counts against its channel's post limit wherever it comes
   * from (`post:<channel>`, kept like any wanted lease). True when both are held now.
   */
  async beginHeal(threadId: string, channel: string, now: number): Promise<boolean> {
    const { store, owner, leaseMs } = this.opts;
    const post = `post:${channel}`;
    const heal = ReplicaLeases.healLease(threadId);
    this.lastWanted.set(post, now);
    const got = await store.holdLeases([heal, post], { owner, now, ttlMs: leaseMs });
    if (got.includes(post)) this.held.add(post);
    if (got.includes(heal) && got.includes(post)) return true;
    if (got.includes(heal)) await store.releaseLeases(owner, [heal]);
    return false;
  }

  async endHeal(threadId: string): Promise<void> {
    await this.opts.store.releaseLeases(this.opts.owner, [ReplicaLeases.healLease(threadId)]);
  }

  /** Twice per lease: rows in flight of a replica silent for a whole lease go back, uncertain. */
  async sweep(now: number): Promise<void> {
    const { store, kinds, leaseMs } = this.opts;
    if (now - this.lastSweepAt < leaseMs / 2) return;
    this.lastSweepAt = now;
    const recovered = await store.recoverInflight({ kinds, silentForMs: leaseMs });
    if (recovered > 0)
      this.opts.logger?.warn({ recovered }, 'took over Slack actions of a replica that stopped; reconciling');
  }

  /** Graceful stop: the other replicas need not wait for the leases to lapse. */
  async releaseAll(): Promise<void> {
    const names = [...this.held];
    this.held.clear();
    await this.opts.store.releaseLeases(this.opts.owner, names);
  }
}
