import type { Clock } from '../clock.js';
import { DrainLoop } from '../drain-loop.js';
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
  private readonly loop = new DrainLoop(
    () => this.drain(),
    () => this.running,
  );
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

  /** A press was recorded (or may be waiting); cheap and idempotent. */
  kick(): void {
    this.loop.kick();
  }

  whenIdle(): Promise<void> {
    return this.loop.whenIdle();
  }

  private async drain(): Promise<void> {
    const { store, clock, logger } = this.deps;
    const lease = this.deps.leaseMs ?? 60_000;
    try {
      for (;;) {
        const now = clock.now();
        // One at a time: a claimed press waiting behind slow ones would outlive its claim and be
        // taken and carried out a second time by another replica.
        const [press] = await store.claimSlackActions(now, 1, { claimedForMs: lease });
        if (!press || !this.running) break;
        await this.run(press);
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
    const respond = this.deps.respond ?? respondEphemeral;
    const thread = await store.getThread<EpisodeState>(a.threadId);
    if (!thread || thread.kind !== 'alert') {
      if (await store.finishSlackAction(a.id, { error: 'thread_not_found' }, clock.now(), a.claimedAt))
        await respond(a.responseUrl, 'This alert thread is no longer known.');
      return;
    }
    const outcome = await perform(a, thread, clock.now(), this.deps);
    let message = outcome.message;
    if (outcome.change) {
      const saved = await store.updateInteraction(thread.id, outcome.change, clock.now());
      if (saved?.changed) this.deps.onOutbox?.();
      else if (saved) message = outcome.unchanged?.(saved.interaction) ?? message;
      const created = outcome.created;
      if (created && saved && saved.interaction.silence?.id !== created.id) {
        // Another run of this press (its claim lapsed) recorded its own silence first: ours would
        // be one nobody can expire from the thread.
        await created.alertmanager
          .expireSilence(created.id)
          .catch((err) =>
            logger?.warn({ silence: created.id, err: String(err) }, 'cannot expire a duplicate silence'),
          );
      }
    }
    const log = { thread: thread.threadKey, threadId: thread.id, action: a.kind, user: a.actor.id };
    if (!(await store.finishSlackAction(a.id, { error: outcome.error }, clock.now(), a.claimedAt))) {
      // Taken over after our claim lapsed: the other taker answers the presser.
      logger?.warn(log, 'Slack action finished by another taker');
      return;
    }
    if (outcome.error) logger?.warn({ ...log, error: outcome.error }, message);
    else logger?.info(log, `Slack action: ${message}`);
    await respond(a.responseUrl, message);
  }
}
