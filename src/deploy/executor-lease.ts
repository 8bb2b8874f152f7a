import { AppError } from '../errors.js';
import type { DeployRecord } from './types.js';
import type { ExecutorStore } from './executor-types.js';

type Owner = NonNullable<DeployRecord['owner']>;

/**
 * This executor no longer owns the deploy: another process took it over (`threader deploy
 * --resume`) while this one was frozen or cut off long enough to look gone. It must not touch
 * nginx, the instances or the record again. Exit 3, like every refusal.
 */
export class LeaseLostError extends AppError {
  readonly code = 'deploy_lease_lost';
  override readonly exitCode = 3;
  override readonly httpStatus = 409;
}

const who = (o: Owner | null | undefined) => (o ? `pid ${o.pid} on ${o.host}` : 'nobody');

/**
 * The executor's lease on one deploy record (DeployRecord.owner), kept with the store's
 * compare-and-set. Every renewal expects exactly the owner this executor last wrote, so after a
 * takeover the next renewal fails and the lease is lost for good. The executor renews before each
 * of its own store writes — a process that wakes from a freeze learns it was replaced before it
 * writes anything — and on the heartbeat timer, which is what keeps the lease fresh during waits.
 */
export class OwnerLease {
  private held: Owner | null = null;
  private lostError: LeaseLostError | undefined;
  private readonly ctl = new AbortController();
  /** Renewals run one at a time: two concurrent ones would expect the same owner and one would fail. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deployId: string,
    private readonly store: ExecutorStore,
    private readonly me: { pid: number; host: string },
    private readonly now: () => number,
  ) {}

  /** Aborted (reason: LeaseLostError) the moment the lease is found lost. */
  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  get lost(): LeaseLostError | undefined {
    return this.lostError;
  }

  /**
   * Takes the lease from the record as read: it must have no owner or be ours already
   * (createDeploy and takeOver put this process there). Anyone else's deploy is refused.
   */
  async acquire(current: Owner | undefined): Promise<DeployRecord> {
    if (current && (current.pid !== this.me.pid || current.host !== this.me.host))
      throw this.lose(
        `deploy ${this.deployId} is driven by ${who(current)}, not by this process; ` +
          `take it over with \`threader deploy --resume ${this.deployId}\` once that executor is gone`,
      );
    return this.claim(current ?? null);
  }

  /** Renews the lease (compare-and-set); throws LeaseLostError when another process holds it. */
  renew(): Promise<DeployRecord> {
    if (this.lostError) return Promise.reject(this.lostError);
    const next = this.queue.then(() => this.claim(this.held));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async claim(expected: Owner | null): Promise<DeployRecord> {
    if (this.lostError) throw this.lostError;
    const owner = { ...this.me, heartbeatAt: this.now() };
    const record = await this.store.claimOwner(this.deployId, owner, expected);
    if (!record) {
      const holder = (await this.store.get(this.deployId))?.owner;
      throw this.lose(
        `deploy ${this.deployId} was taken over by ${who(holder)} while this executor (${who(owner)}) ` +
          `was not heard from; this process stops driving it and changes nothing — follow it with ` +
          `\`threader status\``,
      );
    }
    this.held = owner;
    return record;
  }

  private lose(message: string): LeaseLostError {
    this.lostError ??= new LeaseLostError(message);
    if (!this.ctl.signal.aborted) this.ctl.abort(this.lostError);
    return this.lostError;
  }
}
