import { beforeEach, describe, expect, it } from 'vitest';
import { episode, part } from '../../test/helpers/builders.js';
import type { DigestEntry, DigestState } from '../core/storm.js';
import type { ThreadStore } from './types.js';

/**
 * Retention (prune) of what hangs off a thread besides its messages and outbox rows: digest rows,
 * parent moves, button presses. Run by storeContract() for every adapter.
 */
export function retentionStoreContract(name: string, open: () => Promise<ThreadStore>): void {
  describe(`${name} store contract: retention of digest rows, parent moves and button presses`, () => {
    let store: ThreadStore;
    beforeEach(async () => {
      store = await open();
    });

    const commit = async (key: string, seq: number, status: 'firing' | 'resolved', at: number) => {
      const [nid] = await store.appendNotifications([
        { threadKey: key, channel: 'C1', receivedAt: at, part: part() },
      ]);
      await store.commitDecision({
        notificationId: nid as number,
        reason: 'first notification',
        episode: episode({
          id: `${key}-${seq}`,
          threadKey: key,
          seq,
          status,
          resolvedAt: status === 'resolved' ? at : undefined,
        }),
        actions: [],
        now: at,
      });
    };
    const settleOutbox = async (threadId: string, at: number) => {
      for (const o of await store.outbox(threadId)) {
        if (o.status !== 'pending') continue;
        await store.claimOutbox(o.id, at);
        await store.completeOutbox(o.id, {
          threadId,
          outboxId: o.id,
          channel: 'C1',
          ts: `${at}.${o.id}`,
          kind: o.kind === 'post_parent' ? 'parent' : 'edit',
          text: 'x',
          blocks: null,
          at,
        });
      }
    };
    const digestState = (startedAt: number): DigestState => ({
      channel: 'C1',
      startedAt,
      maxNewThreads: 10,
      windowMs: 60_000,
    });
    const entry = (threadId: string): DigestEntry => ({
      threadId,
      title: threadId,
      severity: 'critical',
      firing: 0,
      resolved: 1,
      status: 'resolved',
      since: 1,
      version: 1,
    });
    const press = async (threadId: string, at: number, finish: boolean) => {
      const id = await store.queueSlackAction({
        threadId,
        kind: 'ack',
        actor: { id: 'U1', name: 'ana' },
        now: at,
      });
      if (!finish) return id;
      const claimed = await store.claimSlackActions(at, 10, { claimedForMs: 60_000 });
      expect(claimed.map((a) => a.id)).toContain(id);
      expect(await store.finishSlackAction(id, {}, at)).toBe(true);
      return id;
    };

    it('a pruned thread takes its parent moves, digest rows and finished presses along; a kept one keeps them', async () => {
      await commit('k', 1, 'resolved', 100);
      await commit('k', 2, 'firing', 200);
      const move = {
        reason: 'parent_deleted' as const,
        fromChannel: 'C1',
        fromTs: null,
        toChannel: 'C1',
        permalink: null,
      };
      expect(await store.moveParent({ ...move, threadId: 'k-1', toTs: '1.1', at: 110 })).toBe(true);
      expect(await store.moveParent({ ...move, threadId: 'k-2', toTs: '2.1', at: 210 })).toBe(true);
      const old = await store.openDigest({ channel: 'C1', state: digestState(100), now: 100 });
      await store.saveDigestEntries(old.id, [entry('k-1')]);
      await store.endDigest(old.id, 150);
      await settleOutbox(old.id, 160);
      const current = await store.openDigest({ channel: 'C1', state: digestState(300), now: 300 });
      await store.saveDigestEntries(current.id, [entry('k-1'), entry('k-2')]);
      await press('k-1', 120, true);
      await press('k-2', 220, true);

      const res = await store.prune({ notificationsBefore: 0, threadsBefore: 1_000 });
      expect(res).toMatchObject({ threads: 2 });
      expect(await store.getThread(old.id)).toBeNull();
      expect(await store.getThread('k-1')).toBeNull();
      expect(await store.parentMoves('k-1')).toEqual([]);
      expect(await store.digestEntries(old.id)).toEqual([]);
      expect((await store.digestEntries(current.id)).map((e) => e.threadId)).toEqual(['k-2']);
      expect((await store.parentMoves('k-2')).map((m) => m.toTs)).toEqual(['2.1']);
      // The press on the pruned thread went with it; the one on the kept thread is still there.
      expect(res.slackActions).toBe(1);
    });

    it('forgets finished presses older than the notification cutoff, never pending or running ones', async () => {
      await commit('k', 1, 'firing', 100);
      await press('k-1', 100, true);
      await press('k-1', 900, true);
      const pending = await press('k-1', 950, false);
      const res = await store.prune({ notificationsBefore: 500, threadsBefore: 0 });
      expect(res).toMatchObject({ threads: 0, slackActions: 1 });
      expect(await store.prune({ notificationsBefore: 500, threadsBefore: 0 })).toMatchObject({
        slackActions: 0,
      });
      // The pending press is still there to be carried out.
      expect((await store.claimSlackActions(1_000, 10, { claimedForMs: 60_000 })).map((a) => a.id)).toEqual([
        pending,
      ]);
    });
  });
}
