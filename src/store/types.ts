import type { DecisionReason, EpisodeState, NotificationPart, ThreadAction } from '../core/types.js';
import type { StormStore } from './storm-types.js';

/**
 * The ThreadStore seam: durable intake, per-key ordered processing, the Slack outbox and the
 * record of what was posted. sqlite.ts is the default; every adapter passes contract.test-suite.ts.
 * All methods are async so that network databases fit the same seam.
 */

export interface NewNotification {
  threadKey: string;
  channel: string;
  receivedAt: number;
  part: NotificationPart;
}

export interface PendingNotification extends NewNotification {
  id: number;
}

/**
 * A Slack thread the engine drives: an alert episode, a deploy, or a note thread (a thread we
 * reply into for someone else: CI pipelines, guard briefings).
 */
/** 'digest': a storm digest, one per channel per storm (core/storm.ts). */
export type ThreadKind = 'alert' | 'deploy' | 'note' | 'digest';

/** What a note thread remembers: its title (for the parent, when we post it). */
export interface NoteState {
  title: string;
}

export interface ThreadRecord<S = EpisodeState> {
  id: string;
  kind: ThreadKind;
  threadKey: string;
  seq: number;
  channel: string;
  /** Slack ts of the parent, saved the moment Slack returns it. */
  parentTs: string | null;
  status: string;
  state: S;
  openedAt: number;
  resolvedAt: number | null;
  previousId: string | null;
  updatedAt: number;
  /** What people did from Slack (Ack, Silence) and the reconciler's close; null when nothing yet. */
  interaction?: ThreadInteraction | null;
}

/** A Slack user as an interactive request names them (verified by the request signature). */
export interface SlackActor {
  id: string;
  name: string;
}

/**
 * Kept apart from the episode state (its own column): the processor rewrites the state from
 * each notification, and an Ack must survive that without a read-modify-write race.
 */
export interface ThreadInteraction {
  ack?: { by: SlackActor; at: number };
  /** The Alertmanager silence created from the thread, while it is meant to be active. */
  silence?: {
    id: string;
    by: SlackActor;
    at: number;
    endsAt: number;
    /** Where it was created, without credentials (the configured URL supplies them again). */
    alertmanagerUrl: string;
    /** What it matches, as Alertmanager shows it (`alertname="Down", service="api"`). */
    matchers?: string;
  };
  /** The last silence, once someone expired it from the thread. */
  unsilenced?: { id: string; by: SlackActor; at: number };
  /** Closed by the reconciler: Alertmanager no longer reported the alerts. */
  reconciledAt?: number;
}

export type SlackActionKind = 'ack' | 'silence' | 'unsilence';

/** A button press, recorded before the request is answered and carried out afterwards. */
export interface NewSlackAction {
  threadId: string;
  kind: SlackActionKind;
  actor: SlackActor;
  /** Silence duration (ms) for 'silence'. */
  durationMs?: number;
  /** Slack's response_url: where the outcome is told to the person who pressed. */
  responseUrl?: string;
  now: number;
}

export interface SlackActionRecord extends NewSlackAction {
  id: number;
  status: 'pending' | 'running' | 'done' | 'failed';
  error: string | null;
  /** When the current taker claimed it: finishing is fenced on it (a taker that lost it changes nothing). */
  claimedAt?: number;
}

/**
 * A change to a thread's interaction state, applied to the state as it is at that moment, under
 * the store's lock: undefined leaves it as it is (no edit queued).
 */
export type InteractionChange = (current: ThreadInteraction) => ThreadInteraction | undefined;

export type OutboxKind = 'post_parent' | 'update_parent' | 'reply';
export type OutboxStatus = 'pending' | 'inflight' | 'done' | 'dead';

export interface OutboxItem {
  id: number;
  threadId: string;
  channel: string;
  kind: OutboxKind;
  /** For replies: what to say (rendered at send time). */
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  notBefore: number;
  createdAt: number;
  /** A previous attempt may have reached Slack: look for the message before posting again. */
  uncertain: boolean;
  lastError: string | null;
}

/** One thing we did in Slack (post of the parent, a reply, an edit of the parent): the thread's timeline. */
export interface MessageRecord {
  threadId: string;
  outboxId: number;
  channel: string;
  /** The message's ts; for an edit, the parent's. */
  ts: string;
  kind: 'parent' | 'reply' | 'edit';
  text: string;
  blocks: unknown;
  at: number;
}

export interface CommitDecision {
  notificationId: number;
  reason: DecisionReason;
  episode: EpisodeState | null;
  actions: ThreadAction[];
  now: number;
}

export interface OutboxFailure {
  error: string;
  retryAt: number;
  uncertain: boolean;
  /** Permanent failure: the item will not be tried again. */
  dead: boolean;
}

export interface DeliverableOptions {
  /** Only threads of these kinds (the ones the caller can render); default all. */
  kinds?: ThreadKind[];
  /** At most this many rows per channel and call type (posts, edits); default 10. */
  perChannel?: number;
  /**
   * Replicas: leave out rows whose Slack lease (`post:<channel>`, `update`) another holder has
   * unexpired at `now` — that replica sends them. A single-process store holds every lease.
   */
  owner?: string;
}

export interface RecoverInflightOptions {
  kinds?: ThreadKind[];
  /**
   * Only claims at least `ms` old. Their age is measured on the clock the claims were timed with:
   * the store's where replicas share one (PostgreSQL's: a replica whose clock runs ahead cannot
   * find a live peer's call stale), else `now`.
   */
  claimedFor?: { ms: number; now: number };
  silentForMs?: number;
}

/**
 * Who asks for a lease, at what time, and for how long: replicas sharing one store divide work
 * with expiring leases, so the work of a replica that died is taken over once they lapse.
 */
export interface LeaseHolder {
  owner: string;
  /**
   * The caller's clock. A store shared by replicas keeps time on its own clock instead
   * (PostgreSQL's): replicas' clocks disagree, and a lease must lapse at one moment for all.
   */
  now: number;
  ttlMs: number;
}

export interface StoreStats {
  openThreads: number;
  threads: number;
  pendingNotifications: number;
  outboxDepth: number;
  oldestOutboxAt: number | null;
  deadItems: number;
}

export interface ThreadStore extends StormStore {
  readonly kind: string;
  init(): Promise<void>;
  close(): Promise<void>;
  /** Throws when the store cannot be reached (readiness). */
  ping(): Promise<void>;

  /** Intake: all parts of one webhook in one transaction, or none. */
  appendNotifications(items: NewNotification[]): Promise<number[]>;
  /** Unprocessed notifications in arrival order. */
  pendingNotifications(limit: number): Promise<PendingNotification[]>;
  /** The latest episode of a thread key (open or resolved). */
  latestEpisode(threadKey: string): Promise<EpisodeState | null>;
  /** latestEpisode for many keys in one read (a batch's keys): every key asked is in the map. */
  latestEpisodes(threadKeys: string[]): Promise<Map<string, EpisodeState | null>>;
  /**
   * Marks the notification processed, saves the episode and appends its actions to the outbox,
   * atomically. Returns false (and changes nothing) when the notification was already processed.
   * A second post_parent for one thread is refused by a unique constraint.
   */
  commitDecision(decision: CommitDecision): Promise<boolean>;
  /**
   * Several decisions in ONE transaction (all or none), each as commitDecision would. With a
   * holder (replicas), the commit is fenced: it changes nothing and returns all false unless the
   * holder still holds the lease of every key (claimNotifications); keys left with nothing
   * pending are released.
   */
  commitDecisions(decisions: CommitDecision[], holder?: LeaseHolder): Promise<boolean[]>;
  /**
   * Replicas: unprocessed notifications in arrival order, only of thread keys no other holder is
   * deciding; takes (or renews) a lease per key, so two replicas never decide one key at once.
   * A single-process store returns pendingNotifications(limit).
   */
  claimNotifications(limit: number, holder: LeaseHolder): Promise<PendingNotification[]>;
  /**
   * Replicas: takes or renews each named lease that is free, lapsed or already the holder's, and
   * returns the names held now; records the holder as alive (recoverInflight's `silentForMs`). Expiry is on the store's clock
   * where it has one shared by all replicas (PostgreSQL's), so a holder's skewed `now` cannot take
   * a lease another holds unexpired.
   * A single-process store holds everything.
   */
  holdLeases(names: string[], holder: LeaseHolder): Promise<string[]>;
  /** Gives up the holder's leases of these names (graceful stop, work gone). */
  releaseLeases(owner: string, names: string[]): Promise<void>;

  /**
   * Outbox rows that may be sent now, head of line per thread: a thread without a parent ts
   * offers only its post_parent; otherwise its oldest unsent reply and its newest pending edit.
   */
  deliverable(now: number, limit: number, opts?: DeliverableOptions): Promise<OutboxItem[]>;
  /**
   * pending → inflight (remembering when, and by whom); false when someone else took it. "When"
   * is on the store's clock where replicas share one (PostgreSQL's), else `now`: recoverInflight's
   * `claimedFor` measures a claim's age on the same clock.
   */
  claimOutbox(id: number, now: number, owner?: string): Promise<boolean>;
  /**
   * inflight → done; records the message; a post_parent saves the parent ts; an edit also settles
   * older edits. Fenced: changes nothing and returns false unless the row is still in flight and,
   * with `owner` (replicas), claimed by that owner — a late result from a replica that lost the
   * row (taken back, maybe claimed again elsewhere) must not finish or revive it.
   */
  completeOutbox(id: number, message: MessageRecord, owner?: string): Promise<boolean>;
  /** inflight → pending (retry) or dead; fenced and answered like completeOutbox. */
  failOutbox(id: number, failure: OutboxFailure, owner?: string): Promise<boolean>;
  /**
   * After a crash: inflight rows go back to pending, marked uncertain — only rows of the given
   * thread kinds; with `claimedFor`, only rows claimed at least `ms` ago (a lease, for processes
   * sharing a store); with `silentForMs`, only rows claimed by a replica not seen alive for that
   * long, by the store's clock (it died). A single-process store has no other replicas:
   * `silentForMs` recovers nothing.
   */
  recoverInflight(opts?: RecoverInflightOptions): Promise<number>;
  /** A random id of this database, created once: it marks our Slack messages as ours. */
  installationId(): Promise<string>;

  /**
   * Opens a thread the alert pipeline does not own (a note thread): created once, a second call
   * with the same id changes nothing. With `parentTs` null the parent is queued for posting.
   */
  openThread(t: {
    id: string;
    kind: ThreadKind;
    threadKey: string;
    channel: string;
    parentTs: string | null;
    state: unknown;
    now: number;
  }): Promise<void>;
  /** Appends one action to a thread's outbox (note and deploy threads). */
  enqueue(threadId: string, kind: OutboxKind, payload: unknown, now: number): Promise<number>;

  getThread<S = EpisodeState>(id: string): Promise<ThreadRecord<S> | null>;
  /** Alert threads unless `kind` says otherwise. */
  listThreads(filter: {
    status?: string;
    channel?: string;
    limit?: number;
    kind?: ThreadKind;
  }): Promise<ThreadRecord[]>;
  messages(threadId: string): Promise<MessageRecord[]>;
  outbox(threadId: string): Promise<OutboxItem[]>;
  stats(now: number): Promise<StoreStats>;
  /**
   * Saves a thread's interaction state and queues an edit of its parent, in one transaction.
   * False (nothing changed) when there is no such thread.
   */
  saveInteraction(threadId: string, interaction: ThreadInteraction, now: number): Promise<boolean>;
  /**
   * Read-modify-write of a thread's interaction state in one transaction, the row locked, so two
   * writers (a press on another replica, the reconciler) never lose each other's fields. Queues an
   * edit of the parent only when `change` changed something. Returns the state now stored and
   * whether this call changed it; null when there is no such thread.
   */
  updateInteraction(
    threadId: string,
    change: InteractionChange,
    now: number,
  ): Promise<{ interaction: ThreadInteraction; changed: boolean } | null>;
  /**
   * Replay protection for signed Slack requests, shared by every process on the store: true the
   * first time `key` is seen, false while it is remembered (until `expiresAt`). Forgets expired keys.
   */
  rememberOnce(key: string, expiresAt: number, now: number): Promise<boolean>;
  /** Records a button press to carry out (durably: a restart carries out what was pending). */
  queueSlackAction(action: NewSlackAction): Promise<number>;
  /**
   * Takes up to `limit` button presses to carry out, oldest first: pending ones, and ones taken
   * at least `stale.claimedForMs` ago and never finished (their process died). Atomic: two
   * processes never take the same press at once, and never two presses of one thread while one of
   * them is running (a Silence pressed twice on two replicas must see the first one's silence).
   * Claims are timed like claimOutbox's: on the store's clock where replicas share one, else `now`;
   * each claim of a press gets a `claimedAt` of its own (the fence of finishSlackAction).
   */
  claimSlackActions(
    now: number,
    limit: number,
    stale: { claimedForMs: number },
  ): Promise<SlackActionRecord[]>;
  /**
   * running → done / failed; false when it was already finished. With `claimedAt` (the claim's
   * time), only while that claim is still the current one: a taker whose press was taken over
   * after its claim lapsed changes nothing.
   */
  finishSlackAction(
    id: number,
    outcome: { error?: string },
    now: number,
    claimedAt?: number,
  ): Promise<boolean>;
  /**
   * Retention: forgets processed notifications and finished button presses from before
   * `notificationsBefore`, and resolved threads resolved before `threadsBefore` with everything
   * that hangs off them (messages, finished outbox rows, digest rows, parent moves, finished
   * presses) — except the latest episode of each key, which a re-fire links to.
   */
  prune(cutoffs: {
    notificationsBefore: number;
    threadsBefore: number;
  }): Promise<{ notifications: number; threads: number; slackActions: number }>;
}
