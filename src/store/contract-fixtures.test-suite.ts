import { episode, part } from '../../test/helpers/builders.js';
import type { EpisodeState } from '../core/types.js';
import type { ThreadStore } from './types.js';

/** Shared by the store contract suites: one new alert thread in C1, its parent queued. */
export async function commitNew(store: ThreadStore, id = 'ep_a', key = 'k1'): Promise<EpisodeState> {
  const [nid] = await store.appendNotifications([
    { threadKey: key, channel: 'C1', receivedAt: 10, part: part() },
  ]);
  const ep = episode({ id, threadKey: key, channel: 'C1' });
  await store.commitDecision({
    notificationId: nid as number,
    reason: 'first notification',
    episode: ep,
    actions: [{ type: 'post_parent', episodeId: id }],
    now: 10,
  });
  return ep;
}
