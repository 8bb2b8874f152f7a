import type { DeployEvent, DeployRecord } from '../deploy/types.js';
import { formatThreadRef, parseThreadRef, type ThreadRef } from '../slack/thread-ref.js';
import type { DeployStore } from '../store/deploy-types.js';
import type { ThreadStore } from '../store/types.js';
import type { GuardLockView } from './deploy-reply.js';
import { beginStory, narrate, opening, type Story } from './narration.js';

/**
 * Narrates one deploy in one Slack thread: opens the thread (id `deploy:<deployId>`, so a resumed
 * deploy finds the same one), turns each executor event into replies and card edits queued in the
 * thread store, and records the thread on the deploy record once Slack gave the parent its ts.
 * Queuing is a local store write; the thread engine delivers in the background. Nothing here ever
 * throws into the executor: a store or Slack problem is logged and counted, the deploy goes on.
 */

/** What the narrator needs of a Slack session (SlackSession satisfies it). */
export interface NarrationPort {
  store: Pick<ThreadStore, 'openThread' | 'enqueue' | 'getThread' | 'outbox'>;
  /** New rows are queued: deliver them when the rate limits allow. */
  kick(): void;
  /** Tells the moment the engine saved a parent's ts (SlackSession.onParentPosted). */
  onParentPosted?(listener: (threadId: string) => void): () => void;
}

export interface NarratorDeps {
  slack: NarrationPort;
  deploys: Pick<DeployStore, 'get' | 'update'>;
  /** Where a new thread is posted (the environment's channel, else SLACK_CHANNEL). */
  channel?: string;
  /** A thread the pipeline opened (`threader slack thread-open`): its parent becomes the card. */
  adopt?: ThreadRef;
  /**
   * The thread of the deploy a rollback undoes: replies go under it, its parent keeps that
   * deploy's card (the rollback's own card is never posted).
   */
  follow?: ThreadRef;
  /** The deploy config path, for the commands the thread prints. */
  config?: string;
  /** `threader rollback` runs it: the thread says it is a rollback (the record may not name what it undoes). */
  rollback?: boolean;
  /** The guard lock now, for the rollback reply's release criteria. */
  guardLock?: () => Promise<GuardLockView | undefined>;
  now?: () => number;
  warn?: (message: string) => void;
  /** How often to look for the parent's ts until it is known (ms). */
  refPollMs?: number;
}

export function deployThreadId(deployId: string): string {
  return `deploy:${deployId}`;
}

export class DeployNarrator {
  /** Store or Slack-side problems met while narrating (each one logged). */
  failures = 0;
  private story: Story | undefined;
  private opened = false;
  private record: DeployRecord | undefined;
  private refSaved = false;
  /** False while following another deploy's thread: its parent is that deploy's card. */
  private cardOnParent = true;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: NarratorDeps) {
    this.now = deps.now ?? Date.now;
  }

  get threadId(): string | undefined {
    return this.record ? deployThreadId(this.record.id) : undefined;
  }

  /** Opens (or finds) the deploy's thread before its first step; never throws. */
  async begin(record: DeployRecord): Promise<void> {
    this.record = record;
    this.story = beginStory(record, this.deps.config, this.deps.rollback ? { rollback: true } : {});
    this.refSaved = record.threadRef !== undefined;
    if (!this.refSaved) {
      const id = deployThreadId(record.id);
      // Saved the moment the engine has the parent's ts: a deployer killed after that and resumed
      // on another runner (another thread store) finds the thread on the record, not a new root.
      this.unsubscribe = this.deps.slack.onParentPosted?.((threadId) => {
        if (threadId === id) void this.saveRef();
      });
    }
    await this.guarded('open the Slack thread', () => this.open(record));
    if (!this.refSaved) {
      // The backstop for a parent posted by someone else (another process on the same store).
      this.timer = setInterval(() => void this.saveRef(), this.deps.refPollMs ?? 250);
      this.timer.unref();
    }
  }

  private async open(record: DeployRecord): Promise<void> {
    const { store } = this.deps.slack;
    const id = deployThreadId(record.id);
    const existing = await store.getThread(id);
    // The record's thread wins over a new --slack-thread: a resumed deploy keeps its thread even
    // when this runner has another thread store (another CI job).
    const ref = record.threadRef ? parseThreadRef(record.threadRef) : (this.deps.adopt ?? this.deps.follow);
    this.cardOnParent = !this.deps.follow || !!this.deps.adopt;
    const channel = ref?.channel ?? this.deps.channel;
    if (!existing && !channel) return;
    const card = (this.story as Story).card;
    await store.openThread({
      id,
      kind: 'deploy',
      threadKey: id,
      channel: channel as string,
      parentTs: ref?.ts ?? null,
      state: card,
      now: this.now(),
    });
    this.opened = true;
    // Said once per thread store: a resume on the same store has said it already.
    if (!existing)
      for (const reply of opening(this.story as Story)) await store.enqueue(id, 'reply', reply, this.now());
    // A parent that exists already (adopted, or this deploy's before a restart) shows the card now.
    if ((existing?.parentTs || ref) && this.cardOnParent)
      await store.enqueue(id, 'update_parent', card, this.now());
    this.deps.slack.kick();
    // A parent known already, or posted before `opened` was set (the engine runs meanwhile).
    if (!record.threadRef) await this.saveRef();
  }

  /** The executor's listener: events are narrated one at a time, in order, off the deploy's path. */
  readonly listener = (event: DeployEvent): void => {
    this.chain = this.chain.then(() => this.guarded(`narrate ${event.type}`, () => this.tell(event)));
  };

  private async tell(event: DeployEvent): Promise<void> {
    const record = this.record;
    if (!record || !this.story) return;
    if (!this.opened) await this.open(record);
    if (!this.opened) return;
    const needsRecord = ['weights-set', 'rollback-finished', 'deploy-finished'].includes(event.type);
    const stored = needsRecord ? await this.deps.deploys.get(record.id) : undefined;
    const lock =
      event.type === 'rollback-finished' && event.guardLocked ? await this.deps.guardLock?.() : undefined;
    const before = JSON.stringify(this.story.card);
    const { story, replies } = narrate(this.story, event, {
      now: this.now(),
      ...(stored !== undefined ? { record: stored } : {}),
      ...(lock ? { lock } : {}),
    });
    this.story = story;
    const id = deployThreadId(record.id);
    const { store } = this.deps.slack;
    for (const reply of replies) await store.enqueue(id, 'reply', reply, this.now());
    if (JSON.stringify(story.card) !== before && this.cardOnParent)
      await store.enqueue(id, 'update_parent', story.card, this.now());
    this.deps.slack.kick();
    await this.saveRef();
  }

  /** Records `CHANNEL:TS` on the deploy once the parent is in Slack (a resume reloads it). */
  async saveRef(): Promise<void> {
    const record = this.record;
    if (this.refSaved || !record || !this.opened) return;
    await this.guarded('save the thread on the deploy record', async () => {
      const thread = await this.deps.slack.store.getThread(deployThreadId(record.id));
      if (!thread?.parentTs || this.refSaved) return;
      this.refSaved = true;
      this.stopPolling();
      await this.deps.deploys.update(record.id, {
        threadRef: formatThreadRef({ channel: thread.channel, ts: thread.parentTs }),
      });
    });
  }

  /** Resolves once every event so far is queued (not delivered: see caughtUp). */
  async settled(): Promise<void> {
    await this.chain;
  }

  /** True when every row of the thread reached Slack (or was given up as undeliverable). */
  async caughtUp(): Promise<boolean> {
    const id = this.threadId;
    if (!id || !this.opened) return true;
    const rows = await this.deps.slack.store.outbox(id);
    return rows.every((r) => r.status === 'done' || r.status === 'dead');
  }

  /** Rows of the thread not in Slack yet. */
  async pending(): Promise<number> {
    const id = this.threadId;
    if (!id || !this.opened) return 0;
    const rows = await this.deps.slack.store.outbox(id);
    return rows.filter((r) => r.status === 'pending' || r.status === 'inflight').length;
  }

  stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private async guarded(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.failures++;
      this.deps.warn?.(`Slack narration: could not ${what}: ${(err as Error).message}`);
    }
  }
}
