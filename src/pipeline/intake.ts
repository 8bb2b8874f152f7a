import { parseNotification } from '../core/parse.js';
import { splitByThreadKey } from '../core/thread-key.js';
import type { Notification, ThreadKeyMode } from '../core/types.js';
import type { ThreadStore } from '../store/types.js';

export interface IntakeDeps {
  store: Pick<ThreadStore, 'appendNotifications'>;
  keyMode: ThreadKeyMode;
  route: (n: Notification) => string;
  now: () => number;
}

/**
 * Stage 1: validate, split by thread key, route, append durably in ONE transaction. Nothing here
 * talks to Slack, so the webhook answers well inside Alertmanager's send deadline; a store failure
 * throws StoreUnavailableError (503, which Alertmanager retries).
 */
export async function acceptWebhook(
  body: unknown,
  deps: IntakeDeps,
): Promise<{ parts: number; ids: number[] }> {
  const notification = parseNotification(body);
  const channel = deps.route(notification);
  const receivedAt = deps.now();
  const parts = splitByThreadKey(notification, deps.keyMode);
  const ids = await deps.store.appendNotifications(
    parts.map((part) => ({ threadKey: part.threadKey, channel, receivedAt, part })),
  );
  return { parts: parts.length, ids };
}
