import type { Clock } from '../clock.js';
import { DeployAbortedError } from './executor-errors.js';
import type { ControlRequest, ExecutorStore } from './executor-types.js';

/**
 * The executor's view of the outside world while it works: control requests read from the store
 * on a timer, the owner's heartbeat, and waits that end early on abort. Everything runs on the
 * injected clock so the executor's tests drive time by hand.
 */
export class ExecutorControls {
  private readonly abortCtl = new AbortController();
  private paused = false;
  private approvedBy: string | undefined;
  private resumedBy: string | undefined;
  private pausedBy: string | undefined;
  private wakers = new Set<() => void>();
  private timer: unknown;
  private beatTimer: unknown;
  private stopped = false;
  /** The approval gate (step index) the deploy waits at now, if any. */
  private gate: number | undefined;

  constructor(
    private readonly deployId: string,
    private readonly store: ExecutorStore,
    private readonly clock: Clock,
    private readonly opts: {
      pollMs: number;
      heartbeatMs: number;
      heartbeat: () => Promise<void>;
      onError: (err: unknown) => void;
      /** Told of each request ignored because it names a gate the deploy is not waiting at. */
      onRefused?: (request: ControlRequest, why: string) => void;
      /**
       * The executor's lease: taking control requests is a store write, so it is renewed first
       * (a replaced executor must not swallow requests meant for its successor), and losing it
       * aborts every wait at once.
       */
      fence?: { signal: AbortSignal; renew: () => Promise<unknown> };
    },
  ) {
    const fence = opts.fence?.signal;
    if (fence?.aborted) this.abortCtl.abort(fence.reason);
    fence?.addEventListener('abort', () => this.abortCtl.abort(fence.reason), { once: true });
  }

  get signal(): AbortSignal {
    return this.abortCtl.signal;
  }

  start(): void {
    this.schedulePoll();
    this.scheduleBeat();
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.clock.clearTimeout(this.beatTimer);
  }

  /** Reads pending requests now (also done on the timer). */
  async poll(): Promise<void> {
    await this.opts.fence?.renew();
    const requests = await this.store.takeControls(this.deployId);
    for (const r of requests) {
      const why = this.refusal(r);
      if (why === undefined) this.apply(r);
      else await this.refuse(r, why);
    }
  }

  /**
   * Declares the approval gate the deploy now waits at (undefined once it is answered). A request
   * naming a gate was judged against that gate when it was made (a Slack press, by `threader
   * serve`); the deploy may have moved on since (another approver answered first), and an answer
   * to one gate must never pass a later one.
   */
  waitAt(gate: number | undefined): void {
    this.gate = gate;
  }

  private refusal(r: ControlRequest): string | undefined {
    if (r.step === undefined || (r.action !== 'approve' && r.action !== 'abort')) return undefined;
    if (r.step === this.gate) return undefined;
    const what = `${r.action === 'approve' ? 'approves' : 'rejects'} the approval at step ${r.step + 1}`;
    return this.gate === undefined
      ? `${what}; the deploy is no longer waiting for it`
      : `${what}; the deploy now waits at the approval at step ${this.gate + 1}`;
  }

  private async refuse(r: ControlRequest, why: string): Promise<void> {
    this.opts.onRefused?.(r, why);
    if (r.seq === undefined || !this.store.refuseControl) return;
    await this.store.refuseControl(this.deployId, r.seq, why).catch(this.opts.onError);
  }

  private apply(r: ControlRequest): void {
    if (r.action === 'abort') this.abortCtl.abort(new DeployAbortedError(r.by, r.reason));
    else if (r.action === 'pause') {
      this.paused = true;
      this.pausedBy = r.by;
    } else if (r.action === 'resume') {
      this.paused = false;
      this.resumedBy = r.by;
    } else this.approvedBy = r.by;
    this.wakers.forEach((w) => w());
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.poll()
        .catch(this.opts.onError)
        .finally(() => this.schedulePoll());
    }, this.opts.pollMs);
  }

  private scheduleBeat(): void {
    if (this.stopped) return;
    this.beatTimer = this.clock.setTimeout(() => {
      this.opts
        .heartbeat()
        .catch(this.opts.onError)
        .finally(() => this.scheduleBeat());
    }, this.opts.heartbeatMs);
  }

  /** A pause asked for and not yet resumed (the executor honours it between steps). */
  pauseRequested(): string | undefined {
    return this.paused ? (this.pausedBy ?? 'unknown') : undefined;
  }

  /** Clears a granted approval so a later approval step needs its own. */
  takeApproval(): string | undefined {
    const by = this.approvedBy;
    this.approvedBy = undefined;
    return by;
  }

  /** Clears a resume so the next pause waits for a new one. */
  takeResume(): string | undefined {
    const by = this.resumedBy;
    this.resumedBy = undefined;
    return by;
  }

  throwIfAborted(): void {
    if (this.abortCtl.signal.aborted) throw this.abortCtl.signal.reason;
  }

  /**
   * Waits `ms` on the clock; rejects with DeployAbortedError on abort, and with `signal`'s reason
   * when it aborts first (a background loop of the deploy that ends before the deploy does).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.until(() => false, ms, signal).then(() => undefined);
  }

  /**
   * Resolves true once `ready()` holds (checked whenever a control request arrives), false when
   * `timeoutMs` passes first; rejects with DeployAbortedError on abort.
   */
  until(ready: () => boolean, timeoutMs?: number, also?: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const signal = also ? AbortSignal.any([this.abortCtl.signal, also]) : this.abortCtl.signal;
      if (signal.aborted) return reject(signal.reason);
      if (ready()) return resolve(true);
      let timer: unknown;
      const done = (fn: () => void) => {
        this.wakers.delete(check);
        signal.removeEventListener('abort', onAbort);
        if (timer !== undefined) this.clock.clearTimeout(timer);
        fn();
      };
      const check = () => {
        if (ready()) done(() => resolve(true));
      };
      const onAbort = () => done(() => reject(signal.reason));
      this.wakers.add(check);
      signal.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) timer = this.clock.setTimeout(() => done(() => resolve(false)), timeoutMs);
    });
  }
}
