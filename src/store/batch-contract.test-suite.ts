import { beforeEach, describe, expect, it } from 'vitest';
import { episode, part } from '../../test/helpers/builders.js';
import type { EpisodeState, ThreadAction } from '../core/types.js';
import type { CommitDecision, ThreadStore } from './types.js';

/**
 * What the processor's batches rely on: many decisions committed at once end exactly as the same
 * decisions committed one by one, and the latest episodes of many keys read at once. Run by
 * storeContract() for every adapter.
 */
export function batchStoreContract(name: string, open: () => Promise<ThreadStore>): void {
  describe(`${name} store contract: batches`, () => {
    let store: ThreadStore;
    beforeEach(async () => {
      store = await open();
    });

    const append = async (keys: string[]) =>
      store.appendNotifications(
        keys.map((threadKey, i) => ({ threadKey, channel: 'C1', receivedAt: i + 1, part: part() })),
      );
    const decision = (
      notificationId: number,
      ep: EpisodeState | null,
      actions: ThreadAction[],
      reason: CommitDecision['reason'] = 'first notification',
    ): CommitDecision => ({ notificationId, reason, episode: ep, actions, now: 50 });

    it('a batch ends like its decisions one by one: latest state, the next episode of a key, outbox in order', async () => {
      const ids = (await append(['k', 'k', 'k', 'j'])) as [number, number, number, number];
      const k1 = episode({ id: 'k-1', threadKey: 'k', seq: 1, channel: 'C1', openedAt: 1 });
      const k1Resolved = { ...k1, status: 'resolved' as const, resolvedAt: 2, notificationCount: 2 };
      const k2 = episode({ id: 'k-2', threadKey: 'k', seq: 2, channel: 'C1', openedAt: 3 });
      const j1 = episode({ id: 'j-1', threadKey: 'j', seq: 1, channel: 'C2', openedAt: 4 });
      const change = { kind: 'still_firing' as const, firing: 1 };
      const done = await store.commitDecisions([
        decision(ids[0], k1, [{ type: 'post_parent', episodeId: 'k-1' }]),
        decision(
          ids[1],
          k1Resolved,
          [
            { type: 'reply', episodeId: 'k-1', change },
            { type: 'update_parent', episodeId: 'k-1' },
          ],
          'all alerts resolved',
        ),
        decision(ids[2], k2, [{ type: 'post_parent', episodeId: 'k-2' }]),
        decision(ids[3], j1, [{ type: 'post_parent', episodeId: 'j-1' }]),
      ]);
      expect(done).toEqual([true, true, true, true]);
      expect(await store.getThread('k-1')).toMatchObject({
        status: 'resolved',
        resolvedAt: 2,
        openedAt: 1,
        state: { notificationCount: 2 },
      });
      expect((await store.latestEpisode('k'))?.id).toBe('k-2');
      expect((await store.getThread('j-1'))?.channel).toBe('C2');
      const rows = [
        ...(await store.outbox('k-1')),
        ...(await store.outbox('k-2')),
        ...(await store.outbox('j-1')),
      ].sort((a, b) => a.id - b.id);
      expect(rows.map((o) => [o.threadId, o.kind, o.channel])).toEqual([
        ['k-1', 'post_parent', 'C1'],
        ['k-1', 'reply', 'C1'],
        ['k-1', 'update_parent', 'C1'],
        ['k-2', 'post_parent', 'C1'],
        ['j-1', 'post_parent', 'C2'],
      ]);
      expect(rows[1]?.payload).toEqual(change);
    });

    it('a notification already processed, or listed twice in one batch, is committed once', async () => {
      const [a, b] = (await append(['k', 'j'])) as [number, number];
      const k1 = episode({ id: 'k-1', threadKey: 'k', channel: 'C1' });
      expect(
        await store.commitDecisions([decision(a, k1, [{ type: 'post_parent', episodeId: 'k-1' }])]),
      ).toEqual([true]);
      const j1 = episode({ id: 'j-1', threadKey: 'j', channel: 'C1' });
      const again = { ...k1, notificationCount: 9 };
      const done = await store.commitDecisions([
        decision(a, again, [{ type: 'update_parent', episodeId: 'k-1' }]),
        decision(b, j1, [{ type: 'post_parent', episodeId: 'j-1' }]),
        decision(b, j1, [{ type: 'post_parent', episodeId: 'j-1' }]),
      ]);
      expect(done).toEqual([false, true, false]);
      expect((await store.outbox('k-1')).map((o) => o.kind)).toEqual(['post_parent']);
      expect((await store.getThread('k-1'))?.state.notificationCount).toBe(k1.notificationCount);
      expect((await store.outbox('j-1')).map((o) => o.kind)).toEqual(['post_parent']);
    });

    it('duplicates and ignored notifications in a batch leave the episode as it was', async () => {
      const [a, b, c] = (await append(['k', 'k', 'k'])) as [number, number, number];
      const k1 = episode({ id: 'k-1', threadKey: 'k', channel: 'C1', notificationCount: 1 });
      const done = await store.commitDecisions([
        decision(a, k1, []),
        decision(b, { ...k1, notificationCount: 7 }, [], 'duplicate'),
        decision(c, { ...k1, notificationCount: 8 }, [], 'ignored'),
      ]);
      expect(done).toEqual([true, true, true]);
      expect((await store.getThread('k-1'))?.state.notificationCount).toBe(1);
    });

    it('reads the latest episode of many keys at once, null for a key never seen', async () => {
      const [a, b, c] = (await append(['k', 'k', 'j'])) as [number, number, number];
      const k1 = episode({ id: 'k-1', threadKey: 'k', seq: 1, status: 'resolved', resolvedAt: 2 });
      const k2 = episode({ id: 'k-2', threadKey: 'k', seq: 2 });
      const j1 = episode({ id: 'j-1', threadKey: 'j', seq: 1 });
      await store.commitDecisions([decision(a, k1, []), decision(b, k2, []), decision(c, j1, [])]);
      const latest = await store.latestEpisodes(['k', 'j', 'nope']);
      expect([...latest.entries()].map(([key, ep]) => [key, ep?.id ?? null]).sort()).toEqual([
        ['j', 'j-1'],
        ['k', 'k-2'],
        ['nope', null],
      ]);
      expect(latest.get('k')).toEqual(await store.latestEpisode('k'));
      expect((await store.latestEpisodes([])).size).toBe(0);
    });
  });
}
