import type { Clock } from '../clock.js';
import type { EpisodeState } from '../core/types.js';
import type { SlackActionRecord, ThreadStore } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';
import { perform, type PerformDeps } from './perform.js';
import { respondEphemeral } from './respond.js';

export interface ActionWorkerDeps extends PerformDeps {
  store: ThreadStore;
  clock: Clock;
  logger?: Logger;
  /** Called after an interaction was saved (its parent edit is queued: wake the thread engine). */
  onOutbox?: () => void;
  /** A press taken by a process that died is taken again after this long (ms). */
  leaseMs?: number;
  respond?: typeof respondEphemeral;
}

/**
 * Carries out recorded button presses after the request was answered: Slack wants an answer within
 * 3 s, Alertmanager may take longer. Presses are in the store first, so a restart finishes them.
 */
export class ActionWorker {
  private running = false;
  private draining: Promise<void> | undefined;
  private again = false;
  private timer: unknown;

  constructor(private readonly deps: ActionWorkerDeps) {}

  start(): void {
    this.running = true;
    this.kick();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
  }

  kick(): void {
    if (!this.running) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  async whenIdle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    const { store, clock, logger } = this.deps;
    const lease = this.deps.leaseMs ?? 60_000;
    try {
      for (;;) {
        const now = clock.now();
        const batch = await store.claimSlackActions(now, 10, now - lease);
        if (batch.length === 0 || !this.running) break;
        for (const a of batch) await this.run(a);
      }
    } catch (err) {
      logger?.error({ err: String(err) }, 'cannot carry out Slack button presses; retrying');
    }
    // Presses of a process that died come back once their lease is over: look again then.
    if (this.running) {
      if (this.timer !== undefined) clock.clearTimeout(this.timer);
      this.timer = clock.setTimeout(() => this.kick(), lease);
    }
  }

  private async run(a: SlackActionRecord): Promise<void> {
    const { store, clock, logger } = this.deps;
    const thread = await store.getThread<EpisodeState>(a.threadId);
    const now = clock.now();
    if (!thread || thread.kind !== 'alert') {
      await store.finishSlackAction(a.id, { error: 'thread_not_found' }, now);
      await (this.deps.respond ?? respondEphemeral)(a.responseUrl, 'This alert thread is no longer known.');
      return;
    }
    const outcome = await perform(a, thread, now, this.deps);
    if (outcome.interaction) {
      await store.saveInteraction(thread.id, outcome.interaction, clock.now());
      this.deps.onOutbox?.();
    }
    await store.finishSlackAction(a.id, { error: outcome.error }, clock.now());
    const log = { thread: thread.threadKey, threadId: thread.id, action: a.kind, user: a.actor.id };
    if (outcome.error) logger?.warn({ ...log, error: outcome.error }, outcome.message);
    else logger?.info(log, `Slack action: ${outcome.message}`);
    await (this.deps.respond ?? respondEphemeral)(a.responseUrl, outcome.message);
  }
}
