import { beforeEach, describe, expect, it } from 'vitest';
import { episode, part } from '../../test/helpers/builders.js';
import { commitNew } from './contract-fixtures.test-suite.js';
import type { ThreadStore } from './types.js';

/**
 * The threads as the API and the dashboard list them, note threads (deploys, CI steps), and
 * retention of old episodes. Run by storeContract() for every adapter.
 */
export function threadsStoreContract(name: string, open: () => Promise<ThreadStore>): void {
  describe(`${name} store contract: threads`, () => {
    let store: ThreadStore;
    beforeEach(async () => {
      store = await open();
    });

    it('lists threads newest first, filtered by status and channel, with stats', async () => {
      await commitNew(store, 'ep_a', 'k1');
      const [nid] = await store.appendNotifications([
        { threadKey: 'k2', channel: 'C2', receivedAt: 1, part: part() },
      ]);
      await store.commitDecision({
        notificationId: nid as number,
        reason: 'first notification',
        episode: episode({
          id: 'ep_b',
          threadKey: 'k2',
          channel: 'C2',
          openedAt: 2_000,
          status: 'resolved',
          resolvedAt: 3_000,
        }),
        actions: [],
        now: 3_000,
      });
      expect((await store.listThreads({})).map((t) => t.id)).toEqual(['ep_b', 'ep_a']);
      expect((await store.listThreads({ status: 'firing' })).map((t) => t.id)).toEqual(['ep_a']);
      expect((await store.listThreads({ channel: 'C2' })).map((t) => t.id)).toEqual(['ep_b']);
      const stats = await store.stats(0);
      expect(stats).toMatchObject({
        openThreads: 1,
        threads: 2,
        pendingNotifications: 0,
        outboxDepth: 1,
        deadItems: 0,
      });
    });

    it('retention forgets old processed notifications and old resolved episodes, never the latest of a key', async () => {
      const commit = async (key: string, seq: number, status: 'firing' | 'resolved', resolvedAt?: number) => {
        const [nid] = await store.appendNotifications([
          { threadKey: key, channel: 'C1', receivedAt: 100 * seq, part: part() },
        ]);
        await store.commitDecision({
          notificationId: nid as number,
          reason: 'first notification',
          episode: episode({ id: `${key}-${seq}`, threadKey: key, seq, status, resolvedAt }),
          actions: [],
          now: 100 * seq,
        });
      };
      await commit('k', 1, 'resolved', 150);
      await commit('k', 2, 'resolved', 250);
      await commit('other', 1, 'resolved', 150);
      await store.appendNotifications([{ threadKey: 'k', channel: 'C1', receivedAt: 1, part: part() }]);
      const res = await store.prune({ notificationsBefore: 1_000, threadsBefore: 1_000 });
      expect(res).toEqual({ notifications: 3, threads: 1, slackActions: 0 });
      expect(await store.getThread('k-1')).toBeNull();
      expect((await store.latestEpisode('k'))?.id).toBe('k-2');
      expect(await store.getThread('other-1')).not.toBeNull();
      expect(await store.pendingNotifications(10)).toHaveLength(1);
    });

    it('opens a note thread once and queues its parent only when it has no ts yet', async () => {
      const open = (id: string, parentTs: string | null) =>
        store.openThread({
          id,
          kind: 'note',
          threadKey: `note:${id}`,
          channel: 'C9',
          parentTs,
          state: { title: 'Deploy' },
          now: 1,
        });
      await open('n1', null);
      await open('n1', null);
      await open('n2', '1700000000.000100');
      expect((await store.outbox('n1')).map((o) => o.kind)).toEqual(['post_parent']);
      expect(await store.outbox('n2')).toEqual([]);
      expect((await store.getThread('n2'))?.parentTs).toBe('1700000000.000100');
      const id = await store.enqueue('n2', 'reply', { text: 'stage ok' }, 5);
      const due = (await store.deliverable(5, 10)).find((o) => o.threadId === 'n2');
      expect(due).toMatchObject({ id, kind: 'reply', channel: 'C9', payload: { text: 'stage ok' } });
      expect(await store.listThreads({})).toEqual([]);
      expect((await store.listThreads({ kind: 'note' })).map((t) => t.id).sort()).toEqual(['n1', 'n2']);
    });
  });
}
