import { beforeEach, describe, expect, it } from 'vitest';
import { episode, part } from '../../test/helpers/builders.js';
import type { DigestEntry, DigestState } from '../core/storm.js';
import type { ParentMove } from './storm-types.js';
import type { ThreadStore } from './types.js';

/**
 * The storm digest and self-healing half of the store contract (storm-types.ts); run by
 * storeContract() for every adapter.
 */
export function stormStoreContract(name: string, open: () => Promise<ThreadStore>): void {
  describe(`${name} store contract: storm digest and self-healing threads`, () => {
    let store: ThreadStore;
    beforeEach(async () => {
      store = await open();
    });

    const openEpisode = async (id: string, channel: string, at: number) => {
      const [nid] = await store.appendNotifications([
        { threadKey: id, channel, receivedAt: at, part: part() },
      ]);
      await store.commitDecision({
        notificationId: nid as number,
        reason: 'first notification',
        episode: episode({ id, threadKey: id, channel, openedAt: at }),
        actions: [{ type: 'post_parent', episodeId: id }],
        now: at,
      });
    };
    const state = (channel: string, startedAt: number): DigestState => ({
      channel,
      startedAt,
      maxNewThreads: 10,
      windowMs: 60_000,
    });
    const entry = (threadId: string, version: number, firing = 1): DigestEntry => ({
      threadId,
      title: threadId,
      severity: 'critical',
      firing,
      resolved: 0,
      status: 'firing',
      since: 1,
      version,
    });

    it('counts the alert threads a channel opened since a moment, and only that channel', async () => {
      await openEpisode('a1', 'C1', 100);
      await openEpisode('a2', 'C1', 200);
      await openEpisode('b1', 'C2', 200);
      expect(await store.countNewThreads('C1', 0)).toBe(2);
      expect(await store.countNewThreads('C1', 200)).toBe(1);
      expect(await store.countNewThreads('C1', 201)).toBe(0);
      expect(await store.countNewThreads('C2', 0)).toBe(1);
    });

    it('opens one digest per channel per storm, queues its parent, and a racing open gets the same', async () => {
      expect(await store.latestDigest('C1')).toBeNull();
      const [a, b] = await Promise.all([
        store.openDigest({ channel: 'C1', state: state('C1', 10), now: 10 }),
        store.openDigest({ channel: 'C1', state: state('C1', 11), now: 11 }),
      ]);
      expect(a.id).toBe(b.id);
      expect(a).toMatchObject({ kind: 'digest', channel: 'C1', status: 'storm', parentTs: null });
      expect(a.state.startedAt).toBe(10);
      expect((await store.outbox(a.id)).map((o) => o.kind)).toEqual(['post_parent']);
      expect((await store.latestDigest('C1'))?.id).toBe(a.id);
      // A digest is no alert thread: alert listings and demand do not see it.
      expect(await store.listThreads({})).toEqual([]);
      expect(await store.countNewThreads('C1', 0)).toBe(0);
    });

    it('ends a digest once, queues the edit that says so, and the next storm gets a new digest', async () => {
      const d = await store.openDigest({ channel: 'C1', state: state('C1', 10), now: 10 });
      expect(await store.endDigest(d.id, 500)).toBe(true);
      expect(await store.endDigest(d.id, 600)).toBe(false);
      const ended = await store.latestDigest('C1');
      expect(ended).toMatchObject({ id: d.id, status: 'resolved', resolvedAt: 500 });
      expect(ended?.state.endedAt).toBe(500);
      expect((await store.outbox(d.id)).map((o) => o.kind)).toEqual(['post_parent', 'update_parent']);
      const next = await store.openDigest({ channel: 'C1', state: state('C1', 900), now: 900 });
      expect(next.id).not.toBe(d.id);
      expect(next.status).toBe('storm');
    });

    it('keeps one table row per group in joining order, never replaced by an older version', async () => {
      const d = await store.openDigest({ channel: 'C1', state: state('C1', 10), now: 10 });
      await store.saveDigestEntries(d.id, [entry('g1', 1), entry('g2', 1)]);
      await store.saveDigestEntries(d.id, [entry('g1', 3, 5)]);
      await store.saveDigestEntries(d.id, [entry('g1', 2, 9)]);
      expect((await store.digestEntries(d.id)).map((e) => [e.threadId, e.version, e.firing])).toEqual([
        ['g1', 3, 5],
        ['g2', 1, 1],
      ]);
      expect(await store.digestEntries('digest:none:1')).toEqual([]);
    });

    it("writes a digest member's table row in the commit of its episode, a replayed older one changing nothing", async () => {
      const d = await store.openDigest({ channel: 'C1', state: state('C1', 10), now: 10 });
      const member = (notificationCount: number, status: 'firing' | 'resolved') => ({
        ...episode({ id: 'm1', threadKey: 'm1', channel: 'C1', notificationCount, status }),
        digest: { id: d.id },
      });
      const commit = async (ep: ReturnType<typeof member>, at: number) => {
        const [nid] = await store.appendNotifications([
          { threadKey: 'm1', channel: 'C1', receivedAt: at, part: part() },
        ]);
        await store.commitDecision({
          notificationId: nid as number,
          reason: ep.status === 'resolved' ? 'all alerts resolved' : 'first notification',
          episode: ep,
          actions: [],
          now: at,
        });
      };
      await commit(member(1, 'firing'), 20);
      expect((await store.digestEntries(d.id)).map((e) => [e.threadId, e.status])).toEqual([
        ['m1', 'firing'],
      ]);
      await commit(member(2, 'resolved'), 30);
      await commit(member(1, 'firing'), 40);
      expect((await store.digestEntries(d.id)).map((e) => [e.threadId, e.status, e.version])).toEqual([
        ['m1', 'resolved', 2],
      ]);
      // An episode outside any digest has no row anywhere.
      await openEpisode('a1', 'C1', 50);
      expect(await store.digestEntries(d.id)).toHaveLength(1);
    });

    it('moves a parent once (compare-and-set), records why, and re-addresses the pending rows', async () => {
      await openEpisode('a1', 'C1', 100);
      const [post] = await store.outbox('a1');
      await store.claimOutbox(post!.id, 100);
      await store.completeOutbox(post!.id, {
        threadId: 'a1',
        outboxId: post!.id,
        channel: 'C1',
        ts: '1.000001',
        kind: 'parent',
        text: 'p',
        blocks: null,
        at: 100,
      });
      await store.enqueue('a1', 'reply', { kind: 'still_firing', firing: 1 }, 110);
      const move: ParentMove = {
        threadId: 'a1',
        reason: 'channel_archived',
        fromChannel: 'C1',
        fromTs: '1.000001',
        toChannel: 'C_DEFAULT',
        toTs: '2.000001',
        permalink: 'http://slack.local/archives/C1/p1000001',
        at: 120,
      };
      expect(await store.moveParent(move)).toBe(true);
      expect(await store.moveParent({ ...move, toTs: '3.000001' })).toBe(false);
      expect(await store.getThread('a1')).toMatchObject({ parentTs: '2.000001', channel: 'C_DEFAULT' });
      expect(await store.parentMoves('a1')).toEqual([move]);
      const pending = (await store.outbox('a1')).filter((o) => o.status === 'pending');
      expect(pending.map((o) => o.channel)).toEqual(['C_DEFAULT']);
      expect(await store.parentMoves('nope')).toEqual([]);
    });

    it('a first parent that could not be posted where it was routed moves from no ts at all', async () => {
      await openEpisode('a1', 'C1', 100);
      const move: ParentMove = {
        threadId: 'a1',
        reason: 'channel_not_found',
        fromChannel: 'C1',
        fromTs: null,
        toChannel: 'C_DEFAULT',
        toTs: '5.000001',
        permalink: null,
        at: 130,
      };
      expect(await store.moveParent(move)).toBe(true);
      expect(await store.getThread('a1')).toMatchObject({ parentTs: '5.000001', channel: 'C_DEFAULT' });
      expect((await store.parentMoves('a1'))[0]?.fromTs).toBeNull();
    });
  });
}
