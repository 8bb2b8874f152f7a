import { beforeEach, describe, expect, it } from 'vitest';
import { episode, part } from '../../test/helpers/builders.js';
import { batchStoreContract } from './batch-contract.test-suite.js';
import { commitNew } from './contract-fixtures.test-suite.js';
import { interactionsStoreContract } from './interactions-contract.test-suite.js';
import { outboxStoreContract } from './outbox-contract.test-suite.js';
import { retentionStoreContract } from './retention-contract.test-suite.js';
import { stormStoreContract } from './storm-contract.test-suite.js';
import { threadsStoreContract } from './threads-contract.test-suite.js';
import type { ThreadStore } from './types.js';

/**
 * The store contract: every ThreadStore adapter runs this same suite (sqlite.test.ts, and any
 * network store later). It pins down what the pipeline relies on: atomic commits, exactly one
 * parent per thread, head-of-line delivery order, coalesced edits, crash recovery. This file holds
 * intake and commits; each other concern has its own *-contract.test-suite.ts, all run from here.
 */
export function storeContract(name: string, open: () => Promise<ThreadStore>): void {
  stormStoreContract(name, open);
  retentionStoreContract(name, open);
  batchStoreContract(name, open);
  outboxStoreContract(name, open);
  threadsStoreContract(name, open);
  interactionsStoreContract(name, open);
  describe(`${name} store contract`, () => {
    let store: ThreadStore;
    beforeEach(async () => {
      store = await open();
    });

    it('returns accepted notifications in arrival order until processed', async () => {
      const ids = await store.appendNotifications([
        { threadKey: 'a', channel: 'C1', receivedAt: 1, part: part() },
        { threadKey: 'b', channel: 'C2', receivedAt: 1, part: part() },
      ]);
      expect(ids).toHaveLength(2);
      const pending = await store.pendingNotifications(10);
      expect(pending.map((p) => p.threadKey)).toEqual(['a', 'b']);
      expect(pending[0]?.part.notification.receiver).toBe('slack-threads');
    });

    it('commits a decision once: a replayed commit changes nothing', async () => {
      const [nid] = await store.appendNotifications([
        { threadKey: 'k1', channel: 'C1', receivedAt: 1, part: part() },
      ]);
      const d = {
        notificationId: nid as number,
        reason: 'first notification' as const,
        episode: episode({ id: 'ep_a', threadKey: 'k1' }),
        actions: [{ type: 'post_parent' as const, episodeId: 'ep_a' }],
        now: 5,
      };
      expect(await store.commitDecision(d)).toBe(true);
      expect(await store.commitDecision(d)).toBe(false);
      expect(await store.outbox('ep_a')).toHaveLength(1);
      expect(await store.pendingNotifications(10)).toHaveLength(0);
      expect((await store.latestEpisode('k1'))?.id).toBe('ep_a');
    });

    it('refuses a second parent for one thread and keeps the whole commit out', async () => {
      await commitNew(store);
      const [nid] = await store.appendNotifications([
        { threadKey: 'k1', channel: 'C1', receivedAt: 1, part: part() },
      ]);
      await expect(
        store.commitDecision({
          notificationId: nid as number,
          reason: 'first notification',
          episode: episode({ id: 'ep_a', threadKey: 'k1', notificationCount: 99 }),
          actions: [{ type: 'post_parent', episodeId: 'ep_a' }],
          now: 20,
        }),
      ).rejects.toMatchObject({ code: 'conflict' });
      expect((await store.outbox('ep_a')).filter((o) => o.kind === 'post_parent')).toHaveLength(1);
      expect((await store.latestEpisode('k1'))?.notificationCount).toBe(1);
      expect(await store.pendingNotifications(10)).toHaveLength(1);
    });

    it('commits a batch of decisions all together, or none of them', async () => {
      await commitNew(store, 'ep_a', 'k1');
      const ids = await store.appendNotifications([
        { threadKey: 'k2', channel: 'C1', receivedAt: 20, part: part() },
        { threadKey: 'k1', channel: 'C1', receivedAt: 20, part: part() },
      ]);
      const fresh = {
        notificationId: ids[0] as number,
        reason: 'first notification' as const,
        episode: episode({ id: 'ep_b', threadKey: 'k2' }),
        actions: [{ type: 'post_parent' as const, episodeId: 'ep_b' }],
        now: 20,
      };
      const secondParent = {
        notificationId: ids[1] as number,
        reason: 'first notification' as const,
        episode: episode({ id: 'ep_a', threadKey: 'k1' }),
        actions: [{ type: 'post_parent' as const, episodeId: 'ep_a' }],
        now: 20,
      };
      await expect(store.commitDecisions([fresh, secondParent])).rejects.toMatchObject({ code: 'conflict' });
      expect(await store.getThread('ep_b')).toBeNull();
      expect(await store.pendingNotifications(10)).toHaveLength(2);
      expect(await store.commitDecisions([fresh])).toEqual([true]);
      expect((await store.outbox('ep_b')).map((o) => o.kind)).toEqual(['post_parent']);
    });

    it('a lease holder claims pending notifications in arrival order and its fenced commit goes through', async () => {
      const holder = { owner: 'replica-a', now: 10, ttlMs: 5_000 };
      await store.appendNotifications([
        { threadKey: 'k1', channel: 'C1', receivedAt: 1, part: part() },
        { threadKey: 'k2', channel: 'C1', receivedAt: 2, part: part() },
        { threadKey: 'k1', channel: 'C1', receivedAt: 3, part: part() },
      ]);
      const claimed = await store.claimNotifications(10, holder);
      expect(claimed.map((n) => [n.threadKey, n.receivedAt])).toEqual([
        ['k1', 1],
        ['k2', 2],
        ['k1', 3],
      ]);
      const done = await store.commitDecisions(
        claimed.map((n) => ({
          notificationId: n.id,
          reason: 'duplicate',
          episode: null,
          actions: [],
          now: 10,
        })),
        holder,
      );
      expect(done).toEqual([true, true, true]);
      expect(await store.claimNotifications(10, holder)).toEqual([]);
    });

    it('has one installation id for its whole life', async () => {
      const id = await store.installationId();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await store.installationId()).toBe(id);
    });
  });
}
