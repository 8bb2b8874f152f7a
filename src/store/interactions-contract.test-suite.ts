import { beforeEach, describe, expect, it } from 'vitest';
import { episode, part } from '../../test/helpers/builders.js';
import { commitNew } from './contract-fixtures.test-suite.js';
import type { ThreadStore } from './types.js';

/**
 * Slack interactivity: button state kept apart from the episode, signed requests remembered once,
 * and each press carried out once by one taker, in order per thread. Run by storeContract() for
 * every adapter.
 */
/** A claim lease no step of these tests outlives, and one every claim has outlived at once. */
const LEASE = { claimedForMs: 60_000 };
const LAPSED = { claimedForMs: 0 };

export function interactionsStoreContract(name: string, open: () => Promise<ThreadStore>): void {
  describe(`${name} store contract: interactions`, () => {
    let store: ThreadStore;
    beforeEach(async () => {
      store = await open();
    });

    it('saves interaction state apart from the episode and queues an edit of the parent with it', async () => {
      await commitNew(store, 'ep_a', 'k1');
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
      const first = await store.claimSlackActions(10, 10, LEASE);
      expect(first.map((x) => [x.id, x.kind, x.status])).toEqual([
        [a, 'ack', 'running'],
        [b, 'silence', 'running'],
      ]);
      expect(first[1]).toMatchObject({
        durationMs: 3_600_000,
        responseUrl: 'http://127.0.0.1/r/1',
        actor: by,
      });
      // Claimed a moment ago, well within the lease: nobody else may take them.
      expect(await store.claimSlackActions(11, 10, LEASE)).toEqual([]);
      expect(await store.finishSlackAction(a, {}, 12)).toBe(true);
      expect(await store.finishSlackAction(a, {}, 12)).toBe(false);
      // The taker of b died: once its claim is older than the lease (here 0 ms), b is taken again.
      expect((await store.claimSlackActions(20, 10, LAPSED)).map((x) => x.id)).toEqual([b]);
      expect(await store.finishSlackAction(b, { error: 'alertmanager_unreachable' }, 21)).toBe(true);
      expect(await store.claimSlackActions(100, 10, LAPSED)).toEqual([]);
    });

    it('runs the presses of one thread one at a time and in order, also when two takers claim at once', async () => {
      const by = { id: 'U1', name: 'ana' };
      const a = await store.queueSlackAction({ threadId: 'ep_a', kind: 'silence', actor: by, now: 1 });
      const b = await store.queueSlackAction({ threadId: 'ep_a', kind: 'silence', actor: by, now: 2 });
      const c = await store.queueSlackAction({ threadId: 'ep_c', kind: 'ack', actor: by, now: 3 });
      const [one, two] = await Promise.all([
        store.claimSlackActions(10, 1, LEASE),
        store.claimSlackActions(10, 1, LEASE),
      ]);
      expect([...one!, ...two!].map((x) => x.id).sort()).toEqual([a, c]);
      // b waits while a runs, also once a's claim is the only one left to look at.
      expect(await store.claimSlackActions(11, 10, LEASE)).toEqual([]);
      expect(await store.finishSlackAction(a, {}, 12)).toBe(true);
      expect((await store.claimSlackActions(13, 10, LEASE)).map((x) => x.id)).toEqual([b]);
    });

    it('finishes a press only for the taker whose claim is current', async () => {
      const by = { id: 'U1', name: 'ana' };
      const a = await store.queueSlackAction({ threadId: 'ep_a', kind: 'silence', actor: by, now: 1 });
      const [slow] = await store.claimSlackActions(10, 1, LEASE);
      expect(slow?.claimedAt).toEqual(expect.any(Number));
      // The slow taker's claim lapsed and another took the press over (at once: a lease of 0 ms).
      const [other] = await store.claimSlackActions(100, 1, LAPSED);
      expect(other).toMatchObject({ id: a, claimedAt: expect.any(Number) });
      expect(other?.claimedAt).not.toBe(slow?.claimedAt);
      expect(await store.finishSlackAction(a, { error: 'late' }, 101, slow?.claimedAt)).toBe(false);
      expect(await store.finishSlackAction(a, {}, 102, other?.claimedAt)).toBe(true);
      expect(await store.claimSlackActions(200, 10, LAPSED)).toEqual([]);
    });

    it('changes interaction state field by field on the state as stored, queuing an edit only on a change', async () => {
      await commitNew(store, 'ep_a', 'k1');
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
  });
}
