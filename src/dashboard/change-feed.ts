import { stat } from 'node:fs/promises';
import type { CommitDecision, MessageRecord, OutboxFailure, ThreadStore } from '../store/types.js';
import type { DashboardEvent, Timers } from './live-events.js';

type Publish = (e: DashboardEvent) => void;

/** What each store write means for the pages; told once the write succeeded. */
const WRITES = new Map<PropertyKey, (args: unknown[]) => DashboardEvent[]>(
  Object.entries({
    commitDecision: ([d]) => decided([d as CommitDecision]),
    commitDecisions: ([ds]) => decided(ds as CommitDecision[]),
    completeOutbox: ([, m]) => [{ type: 'message', threadId: (m as MessageRecord).threadId }],
    failOutbox: ([, f]) => ((f as OutboxFailure).dead ? [{ type: 'threads' }] : []),
    saveInteraction: ([id]) => [{ type: 'thread', threadId: id as string }],
    updateInteraction: ([id]) => [{ type: 'thread', threadId: id as string }],
    openThread: ([t]) => [{ type: 'thread', threadId: (t as { id: string }).id }],
    prune: () => [{ type: 'threads' }],
  } satisfies Record<string, (args: unknown[]) => DashboardEvent[]>),
);

function decided(ds: CommitDecision[]): DashboardEvent[] {
  return ds.map((d) => (d.episode ? { type: 'thread', threadId: d.episode.id } : { type: 'threads' }));
}

/**
 * The store, telling the dashboard about every write this process makes: pages update the moment
 * a thread changes or Slack has a message, with no polling. Reads and everything else pass through
 * untouched (the same object, the same `this`).
 */
export function observeStore(store: ThreadStore, publish: Publish): ThreadStore {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      // A Map, not an object: `toString` or `constructor` must never look like a write.
      const events = WRITES.get(prop);
      if (!events || typeof value !== 'function') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        fn = async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          for (const e of events(args)) publish(e);
          return result;
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}

/**
 * What this process cannot see happen: the guard lock file (written by `threader guard` commands
 * elsewhere), with replicas on PostgreSQL other replicas' writes (seen as a change in the store's
 * counts), and the deploy records `threader deploy` writes. Polled only while someone watches a page.
 */
export class ChangePoller {
  private timer: unknown;
  private last: { guard?: string; store?: string; deploys?: string } = {};
  private running = false;

  constructor(
    private readonly opts: {
      guardFile(): string | undefined;
      storeFingerprint(): Promise<string>;
      /** Absent while serve reads no deploy records (deploy-feed.ts). */
      deployFingerprint?(): Promise<string>;
      publish: Publish;
      intervalMs?: number;
      timers: Timers;
    },
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    // First look sets the baseline; only later differences are news.
    void this.poll(true);
    this.timer = this.opts.timers.setInterval(() => void this.poll(false), this.opts.intervalMs ?? 1000);
  }

  stop(): void {
    if (this.timer === undefined) return;
    this.opts.timers.clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look; exposed so tests need no timers. */
  async poll(baseline = false): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const guard = await guardFingerprint(this.opts.guardFile());
      const store = await this.opts.storeFingerprint().catch(() => this.last.store);
      const deploys = this.opts.deployFingerprint
        ? await this.opts.deployFingerprint().catch(() => this.last.deploys)
        : undefined;
      if (!baseline && guard !== this.last.guard) this.opts.publish({ type: 'guard' });
      if (!baseline && store !== this.last.store) this.opts.publish({ type: 'threads' });
      if (!baseline && deploys !== this.last.deploys) this.opts.publish({ type: 'deploy' });
      this.last = { guard, store, deploys };
    } finally {
      this.running = false;
    }
  }
}

async function guardFingerprint(file: string | undefined): Promise<string> {
  if (!file) return 'none';
  try {
    const s = await stat(file);
    // The lock file is replaced by rename on every write: a new inode even when size and mtime match.
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'absent';
  }
}
