import { beforeEach, describe, expect, it } from 'vitest';
import { episode, part } from '../../test/helpers/builders.js';
import { commitNew } from './contract-fixtures.test-suite.js';
import type { ThreadStore } from './types.js';

/**
 * What the thread engine relies on: the parent first and replies in order per thread, coalesced
 * edits, retries held back until due, a storm unable to crowd out another channel, in-flight rows
 * taken back after a crash (marked uncertain) and only the kinds and claims asked for. Run by
 * storeContract() for every adapter.
 */
export function outboxStoreContract(name: string, open: () => Promise<ThreadStore>): void {
  describe(`${name} store contract: outbox`, () => {
    let store: ThreadStore;
    beforeEach(async () => {
      store = await open();
    });

    it('offers only the parent until its ts is saved, then replies in order and the newest edit', async () => {
      await commitNew(store);
      const [nid] = await store.appendNotifications([
        { threadKey: 'k1', channel: 'C1', receivedAt: 11, part: part() },
      ]);
      await store.commitDecision({
        notificationId: nid as number,
        reason: 'new alerts added',
        episode: episode({ id: 'ep_a', threadKey: 'k1', channel: 'C1' }),
        actions: [
          { type: 'reply', episodeId: 'ep_a', change: { kind: 'still_firing', firing: 1 } },
          { type: 'update_parent', episodeId: 'ep_a' },
          { type: 'reply', episodeId: 'ep_a', change: { kind: 'still_firing', firing: 2 } },
          { type: 'update_parent', episodeId: 'ep_a' },
        ],
        now: 11,
      });
      let due = await store.deliverable(100, 10);
      expect(due.map((o) => o.kind)).toEqual(['post_parent']);
      const parent = due[0]!;
      expect(await store.claimOutbox(parent.id, 100)).toBe(true);
      expect(await store.claimOutbox(parent.id, 100)).toBe(false);
      await store.completeOutbox(parent.id, {
        threadId: 'ep_a',
        outboxId: parent.id,
        channel: 'C1',
        ts: '1.000100',
        kind: 'parent',
        text: 'p',
        blocks: [],
        at: 100,
      });
      expect((await store.getThread('ep_a'))?.parentTs).toBe('1.000100');
      due = await store.deliverable(100, 10);
      expect(due.map((o) => [o.kind, (o.payload as { firing?: number } | null)?.firing ?? null])).toEqual([
        ['reply', 1],
        ['update_parent', null],
      ]);
      const [reply1, newestEdit] = due as [typeof parent, typeof parent];
      await store.claimOutbox(reply1.id, 100);
      // While the first reply is in flight the second one waits: order inside a thread holds.
      expect((await store.deliverable(100, 10)).map((o) => o.kind)).toEqual(['update_parent']);
      await store.claimOutbox(newestEdit.id, 100);
      await store.completeOutbox(newestEdit.id, {
        threadId: 'ep_a',
        outboxId: newestEdit.id,
        channel: 'C1',
        ts: '1.000100',
        kind: 'edit',
        text: 'e',
        blocks: [],
        at: 101,
      });
      const edits = (await store.outbox('ep_a')).filter((o) => o.kind === 'update_parent');
      expect(edits.map((o) => o.status)).toEqual(['done', 'done']);
      await store.completeOutbox(reply1.id, {
        threadId: 'ep_a',
        outboxId: reply1.id,
        channel: 'C1',
        ts: '1.000200',
        kind: 'reply',
        text: 'r1',
        blocks: [],
        at: 102,
      });
      expect((await store.deliverable(100, 10)).map((o) => (o.payload as { firing: number }).firing)).toEqual(
        [2],
      );
      expect((await store.messages('ep_a')).map((m) => m.kind)).toEqual(['parent', 'reply', 'edit']);
    });

    it('keeps a failed item back until its retry time, and drops a dead one for good', async () => {
      await commitNew(store);
      const [item] = await store.deliverable(100, 10);
      await store.claimOutbox(item!.id, 100);
      await store.failOutbox(item!.id, { error: 'http_503', retryAt: 5_000, uncertain: true, dead: false });
      expect(await store.deliverable(4_999, 10)).toHaveLength(0);
      const [again] = await store.deliverable(5_000, 10);
      expect(again).toMatchObject({ id: item!.id, attempts: 1, uncertain: true, lastError: 'http_503' });
      await store.claimOutbox(again!.id, 5_000);
      await store.failOutbox(again!.id, {
        error: 'channel_not_found',
        retryAt: 5_000,
        uncertain: false,
        dead: true,
      });
      expect(await store.deliverable(Infinity, 10)).toHaveLength(0);
      expect((await store.stats(0)).deadItems).toBe(1);
    });

    it('after a crash, items that were in flight come back marked uncertain', async () => {
      await commitNew(store);
      const [item] = await store.deliverable(100, 10);
      await store.claimOutbox(item!.id, 100);
      expect(await store.recoverInflight()).toBe(1);
      const [back] = await store.deliverable(100, 10);
      expect(back).toMatchObject({ id: item!.id, status: 'pending', uncertain: true });
    });

    it('a storm on one channel cannot crowd another channel out of the deliverable rows', async () => {
      for (let i = 0; i < 30; i++) await commitNew(store, `storm${i}`, `ks${i}`);
      const [nid] = await store.appendNotifications([
        { threadKey: 'quiet', channel: 'C2', receivedAt: 1, part: part() },
      ]);
      await store.commitDecision({
        notificationId: nid as number,
        reason: 'first notification',
        episode: episode({ id: 'quiet1', threadKey: 'quiet', channel: 'C2' }),
        actions: [{ type: 'post_parent', episodeId: 'quiet1' }],
        now: 10,
      });
      const due = await store.deliverable(100, 12, { perChannel: 5 });
      expect(due.filter((o) => o.channel === 'C1')).toHaveLength(5);
      expect(due.filter((o) => o.channel === 'C2').map((o) => o.threadId)).toEqual(['quiet1']);
    });

    it('offers and recovers only the thread kinds asked for, and recovery honours the claim lease', async () => {
      await commitNew(store, 'ep_a', 'k1');
      await store.openThread({
        id: 'n1',
        kind: 'note',
        threadKey: 'note:n1',
        channel: 'C9',
        parentTs: '1.000001',
        state: { title: 't' },
        now: 1,
      });
      await store.enqueue('n1', 'reply', { text: 'x' }, 1);
      expect((await store.deliverable(100, 10, { kinds: ['note'] })).map((o) => o.threadId)).toEqual(['n1']);
      expect((await store.deliverable(100, 10, { kinds: ['alert'] })).map((o) => o.threadId)).toEqual([
        'ep_a',
      ]);
      for (const o of await store.deliverable(100, 10)) await store.claimOutbox(o.id, 500);
      // Claimed a moment ago: not yet a minute old, but 0 ms old it is.
      expect(await store.recoverInflight({ kinds: ['note'], claimedFor: { ms: 60_000, now: 500 } })).toBe(0);
      expect(await store.recoverInflight({ kinds: ['note'], claimedFor: { ms: 0, now: 500 } })).toBe(1);
      expect((await store.outbox('ep_a'))[0]?.status).toBe('inflight');
      expect(await store.recoverInflight({ kinds: ['alert'] })).toBe(1);
    });

    it('a parent that failed for good settles the rest of its thread', async () => {
      await commitNew(store, 'ep_a', 'k1');
      await store.enqueue('ep_a', 'reply', { kind: 'still_firing', firing: 1 }, 10);
      const [parent] = await store.deliverable(100, 10);
      await store.claimOutbox(parent!.id, 100);
      await store.failOutbox(parent!.id, {
        error: 'msg_too_long',
        retryAt: 100,
        uncertain: false,
        dead: true,
      });
      expect((await store.outbox('ep_a')).map((o) => [o.status, o.lastError])).toEqual([
        ['dead', 'msg_too_long'],
        ['dead', 'parent_not_posted'],
      ]);
      expect((await store.stats(0)).outboxDepth).toBe(0);
    });

    it('ignores a late result for a row no longer in flight: no parent saved, no finished row revived', async () => {
      await commitNew(store, 'ep_a', 'k1');
      const record = (outboxId: number) => ({
        threadId: 'ep_a',
        outboxId,
        channel: 'C1',
        ts: '1.000100',
        kind: 'parent' as const,
        text: 'p',
        blocks: [],
        at: 200,
      });
      const [parent] = await store.deliverable(100, 10);
      await store.claimOutbox(parent!.id, 100);
      // The claim went stale and the row was taken back for a lookup: the old call's answer is late.
      expect(await store.recoverInflight({ claimedFor: { ms: 0, now: 100 } })).toBe(1);
      expect(await store.completeOutbox(parent!.id, record(parent!.id))).toBe(false);
      expect(
        await store.failOutbox(parent!.id, { error: 'x', retryAt: 0, uncertain: false, dead: true }),
      ).toBe(false);
      expect((await store.getThread('ep_a'))?.parentTs).toBeNull();
      expect(await store.messages('ep_a')).toEqual([]);
      expect((await store.outbox('ep_a')).map((o) => [o.status, o.uncertain])).toEqual([['pending', true]]);
      // Claimed again and finished: a late failure of the first claim cannot send it again.
      await store.claimOutbox(parent!.id, 300);
      expect(await store.completeOutbox(parent!.id, record(parent!.id))).toBe(true);
      expect(
        await store.failOutbox(parent!.id, { error: 'timeout', retryAt: 0, uncertain: true, dead: false }),
      ).toBe(false);
      expect((await store.outbox('ep_a')).map((o) => o.status)).toEqual(['done']);
      expect(await store.deliverable(1_000, 10)).toEqual([]);
    });

    it('grants a lone holder the leases it asks for, and takes nothing back for a silent replica', async () => {
      const holder = { owner: 'replica-a', now: 10, ttlMs: 5_000 };
      expect((await store.holdLeases(['post:C1', 'update'], holder)).sort()).toEqual(['post:C1', 'update']);
      await store.releaseLeases('replica-a', ['post:C1']);
      await commitNew(store);
      const [item] = await store.deliverable(100, 10);
      await store.claimOutbox(item!.id, 100);
      // Claimed without an owner name: no replica can be declared dead for it.
      expect(await store.recoverInflight({ silentForMs: 0 })).toBe(0);
      expect((await store.outbox('ep_a'))[0]?.status).toBe('inflight');
    });
  });
}
