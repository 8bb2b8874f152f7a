import type { NewNotification, ThreadStore } from '../store/types.js';

interface Waiting {
  items: NewNotification[];
  resolve: (ids: number[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for intake: webhooks accepted in the same event-loop turn are appended in ONE
 * transaction, and each request is answered only after that transaction committed. Under a storm
 * this turns N commits (N fsyncs with `synchronous: full`) into one, at the cost of one loop turn.
 * Flushes may overlap (a slow store), as may other replicas' intakes: the order of one thread
 * key's notifications across them is the store's to keep (postgres-intake.ts).
 */
export class AppendBatcher {
  private waiting: Waiting[] = [];

  constructor(private readonly store: Pick<ThreadStore, 'appendNotifications'>) {}

  appendNotifications(items: NewNotification[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ items, resolve, reject }) === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    try {
      const ids = await this.store.appendNotifications(batch.flatMap((w) => w.items));
      let at = 0;
      for (const w of batch) {
        w.resolve(ids.slice(at, at + w.items.length));
        at += w.items.length;
      }
    } catch (err) {
      // All or nothing: every request of the batch gets the store error (503, Alertmanager retries).
      for (const w of batch) w.reject(err);
    }
  }
}
