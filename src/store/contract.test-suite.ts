import { beforeEach, describe, expect, it } from 'vitest';
import { episode, part } from '../../test/helpers/builders.js';
import { batchStoreContract } from './batch-contract.test-suite.js';
import { retentionStoreContract } from './retention-contract.test-suite.js';
import { stormStoreContract } from './storm-contract.test-suite.js';
import type { ThreadStore } from './types.js';

/**
 * The store contract: every ThreadStore adapter runs this same suite (sqlite.test.ts, and any
 * network store later). It pins down what the pipeline relies on: atomic commits, exactly one
 * parent per thread, head-of-line delivery order, coalesced edits, crash recovery.
 */
export function storeContract(name: string, open: () => Promise<ThreadStore>): void {
  stormStoreContract(name, open);
  retentionStoreContract(name, open);
  batchStoreContract(name, open);
  describe(`${name} store contract`, () => {
    let store: ThreadStore;
    beforeEach(async () => {
      store = await open();
    });

    const commitNew = async (id = 'ep_a', key = 'k1') => {
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
    };

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
      await commitNew();
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

    it('offers only the parent until its ts is saved, then replies in order and the newest edit', async () => {
      await commitNew();
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
      await commitNew();
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
      await commitNew();
      const [item] = await store.deliverable(100, 10);
      await store.claimOutbox(item!.id, 100);
      expect(await store.recoverInflight()).toBe(1);
      const [back] = await store.deliverable(100, 10);
      expect(back).toMatchObject({ id: item!.id, status: 'pending', uncertain: true });
    });

    it('lists threads newest first, filtered by status and channel, with stats', async () => {
      await commitNew('ep_a', 'k1');
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

    it('commits a batch of decisions all together, or none of them', async () => {
      await commitNew('ep_a', 'k1');
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

    it('a storm on one channel cannot crowd another channel out of the deliverable rows', async () => {
      for (let i = 0; i < 30; i++) await commitNew(`storm${i}`, `ks${i}`);
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
      await commitNew('ep_a', 'k1');
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
      expect(await store.recoverInflight({ kinds: ['note'], claimedBefore: 499 })).toBe(0);
      expect(await store.recoverInflight({ kinds: ['note'], claimedBefore: 500 })).toBe(1);
      expect((await store.outbox('ep_a'))[0]?.status).toBe('inflight');
      expect(await store.recoverInflight({ kinds: ['alert'] })).toBe(1);
    });

    it('a parent that failed for good settles the rest of its thread', async () => {
      await commitNew('ep_a', 'k1');
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

    it('saves interaction state apart from the episode and queues an edit of the parent with it', async () => {
      await commitNew('ep_a', 'k1');
      const by = { id: 'U1', name: 'ana' };
      expect(await store.saveInteraction('ep_a', { ack: { by, at: 50 } }, 50)).toBe(true);
      expect(await store.saveInteraction('nope', { ack: { by, at: 50 } }, 50)).toBe(false);
      // A later notification rewrites the episode state; the Ack stays.
      const [nid] = await store.appendNotifications([
        { threadKey: 'k1', channel: 'C1', receivedAt: 60, part: part() },
      ]);
      await store.commitDecision({
        notificationId: nid as number,
        reason: 'new alerts added',
        episode: episode({ id: 'ep_a', threadKey: 'k1', channel: 'C1', notificationCount: 2 }),
        actions: [],
        now: 60,
      });
      const t = await store.getThread('ep_a');
      expect(t?.interaction).toEqual({ ack: { by, at: 50 } });
      expect(t?.state.notificationCount).toBe(2);
      expect((await store.outbox('ep_a')).map((o) => [o.kind, o.channel])).toEqual([
        ['post_parent', 'C1'],
        ['update_parent', 'C1'],
      ]);
      expect((await store.listThreads({}))[0]?.interaction).toEqual({ ack: { by, at: 50 } });
    });

    it('remembers a signed request once until it expires', async () => {
      expect(await store.rememberOnce('v0=abc', 1_000, 0)).toBe(true);
      expect(await store.rememberOnce('v0=abc', 1_000, 999)).toBe(false);
      expect(await store.rememberOnce('v0=other', 1_000, 999)).toBe(true);
      expect(await store.rememberOnce('v0=abc', 2_000, 1_000)).toBe(true);
    });

    it('hands each button press to one taker, takes back a stale one, and finishes it once', async () => {
      const by = { id: 'U1', name: 'ana' };
      const a = await store.queueSlackAction({ threadId: 'ep_a', kind: 'ack', actor: by, now: 1 });
      const b = await store.queueSlackAction({
        threadId: 'ep_b',
        kind: 'silence',
        actor: by,
        durationMs: 3_600_000,
        responseUrl: 'http://127.0.0.1/r/1',
        now: 2,
      });
      const first = await store.claimSlackActions(10, 10, 0);
      expect(first.map((x) => [x.id, x.kind, x.status])).toEqual([
        [a, 'ack', 'running'],
        [b, 'silence', 'running'],
      ]);
      expect(first[1]).toMatchObject({
        durationMs: 3_600_000,
        responseUrl: 'http://127.0.0.1/r/1',
        actor: by,
      });
      expect(await store.claimSlackActions(11, 10, 9)).toEqual([]);
      expect(await store.finishSlackAction(a, {}, 12)).toBe(true);
      expect(await store.finishSlackAction(a, {}, 12)).toBe(false);
      // The taker of b died: once its claim is older than the lease, b is taken again.
      expect((await store.claimSlackActions(20, 10, 10)).map((x) => x.id)).toEqual([b]);
      expect(await store.finishSlackAction(b, { error: 'alertmanager_unreachable' }, 21)).toBe(true);
      expect(await store.claimSlackActions(100, 10, 100)).toEqual([]);
    });

    it('runs the presses of one thread one at a time and in order, also when two takers claim at once', async () => {
      const by = { id: 'U1', name: 'ana' };
      const a = await store.queueSlackAction({ threadId: 'ep_a', kind: 'silence', actor: by, now: 1 });
      const b = await store.queueSlackAction({ threadId: 'ep_a', kind: 'silence', actor: by, now: 2 });
      const c = await store.queueSlackAction({ threadId: 'ep_c', kind: 'ack', actor: by, now: 3 });
      const [one, two] = await Promise.all([
        store.claimSlackActions(10, 1, 0),
        store.claimSlackActions(10, 1, 0),
      ]);
      expect([...one!, ...two!].map((x) => x.id).sort()).toEqual([a, c]);
      // b waits while a runs, also once a's claim is the only one left to look at.
      expect(await store.claimSlackActions(11, 10, 0)).toEqual([]);
      expect(await store.finishSlackAction(a, {}, 12)).toBe(true);
      expect((await store.claimSlackActions(13, 10, 0)).map((x) => x.id)).toEqual([b]);
    });

    it('finishes a press only for the taker whose claim is current', async () => {
      const by = { id: 'U1', name: 'ana' };
      const a = await store.queueSlackAction({ threadId: 'ep_a', kind: 'silence', actor: by, now: 1 });
      const [slow] = await store.claimSlackActions(10, 1, 0);
      expect(slow?.claimedAt).toBe(10);
      // The slow taker's claim lapsed and another took the press over.
      const [other] = await store.claimSlackActions(100, 1, 50);
      expect(other).toMatchObject({ id: a, claimedAt: 100 });
      expect(await store.finishSlackAction(a, { error: 'late' }, 101, 10)).toBe(false);
      expect(await store.finishSlackAction(a, {}, 102, 100)).toBe(true);
      expect(await store.claimSlackActions(200, 10, 150)).toEqual([]);
    });

    it('changes interaction state field by field on the state as stored, queuing an edit only on a change', async () => {
      await commitNew('ep_a', 'k1');
      const ana = { id: 'U1', name: 'ana' };
      expect(await store.updateInteraction('nope', () => ({ reconciledAt: 1 }), 50)).toBeNull();
      const acked = await store.updateInteraction(
        'ep_a',
        (cur) => ({ ...cur, ack: { by: ana, at: 50 } }),
        50,
      );
      expect(acked).toEqual({ interaction: { ack: { by: ana, at: 50 } }, changed: true });
      // A writer that read nothing earlier still keeps the Ack: it changes the state as stored now.
      const silence = { id: 's1', by: ana, at: 60, endsAt: 999, alertmanagerUrl: 'http://am' };
      await store.updateInteraction('ep_a', (cur) => ({ ...cur, silence }), 60);
      const unchanged = await store.updateInteraction('ep_a', () => undefined, 70);
      expect(unchanged).toEqual({ interaction: { ack: { by: ana, at: 50 }, silence }, changed: false });
      expect((await store.getThread('ep_a'))?.interaction).toEqual({ ack: { by: ana, at: 50 }, silence });
      expect((await store.outbox('ep_a')).map((o) => o.kind)).toEqual([
        'post_parent',
        'update_parent',
        'update_parent',
      ]);
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

    it('grants a lone holder the leases it asks for, and takes nothing back for a silent replica', async () => {
      const holder = { owner: 'replica-a', now: 10, ttlMs: 5_000 };
      expect((await store.holdLeases(['post:C1', 'update'], holder)).sort()).toEqual(['post:C1', 'update']);
      await store.releaseLeases('replica-a', ['post:C1']);
      await commitNew();
      const [item] = await store.deliverable(100, 10);
      await store.claimOutbox(item!.id, 100);
      // Claimed without an owner name: no replica can be declared dead for it.
      expect(await store.recoverInflight({ silentSince: 1_000 })).toBe(0);
      expect((await store.outbox('ep_a'))[0]?.status).toBe('inflight');
    });

    it('has one installation id for its whole life', async () => {
      const id = await store.installationId();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await store.installationId()).toBe(id);
    });
  });
}
