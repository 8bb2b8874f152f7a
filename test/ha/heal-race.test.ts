import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { EpisodeState } from '../../src/core/types.js';
import { startSlackEmulator, type SlackEmulator } from '../../src/emulator/index.js';
import { healThread, type HealContext } from '../../src/slack/engine-heal.js';
import { RateGate } from '../../src/slack/rate-gate.js';
import { ReplicaLeases } from '../../src/slack/replica-leases.js';
import type { ThreadRenderer } from '../../src/slack/thread-engine.js';
import type { PostMessageArgs, SlackClient } from '../../src/slack/types.js';
import { createWebSlackClient } from '../../src/slack/web-client.js';
import { PostgresStore } from '../../src/store/postgres.js';
import type { OutboxItem, ThreadRecord } from '../../src/store/types.js';
import { episode, part } from '../helpers/builders.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { waitFor } from '../helpers/process.js';
import { advanceDbClock } from './db-clock.js';

/**
 * A heal whose lease lapsed mid-post: replica A posts a fresh parent for a thread whose parent was
 * deleted, and Slack's answer takes longer than A's heal lease. Replica B takes the lease, heals
 * the thread itself and wins the parent's compare-and-set; when A's answer finally arrives, A must
 * take its own fresh parent back out of Slack, so the channel shows exactly one parent.
 */

const TOKEN = 'xoxb-heal-race-0000';
const LEASE_MS = 15_000;

const renderer: ThreadRenderer<EpisodeState> = {
  parent: (t) => ({ text: `parent ${t.id}` }),
  reply: (_t, payload) => ({ text: `reply ${JSON.stringify(payload)}` }),
};

/** A's Slack: the post lands at once, its answer waits until `release()`. */
function slowAnswers(inner: SlackClient): { client: SlackClient; release: () => void } {
  let release = () => {};
  const answered = new Promise<void>((resolve) => {
    release = resolve;
  });
  const client: SlackClient = {
    ...inner,
    async postMessage(args: PostMessageArgs) {
      const res = await inner.postMessage(args);
      await answered;
      return res;
    },
  };
  return { client, release };
}

const missing = postgresMissing();
let server: TestPostgres;
let emu: SlackEmulator;
const stores: PostgresStore[] = [];

if (missing) {
  describe.skip(`a heal that lost the race (skipped: ${missing})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  beforeAll(async () => {
    server = await startPostgres();
    emu = await startSlackEmulator({ token: TOKEN });
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
    await emu?.close();
    await server?.stop();
  });

  describe('a heal that lost the race', () => {
    it('deletes its extra parent: the channel shows exactly one parent, the winner', async () => {
      const url = await server.createDatabase();
      const open = async () => {
        const s = new PostgresStore({ url, poolSize: 4 });
        await s.init();
        stores.push(s);
        return s;
      };
      const [a, b] = [await open(), await open()];
      const slack = createWebSlackClient({ token: TOKEN, slackApiUrl: emu.url, timeoutMs: 5_000 });
      const channel = 'C_HEAL';
      const now = Date.now();

      // An alert thread whose parent is in Slack, then deleted by someone.
      const [nid] = await a.appendNotifications([{ threadKey: 'k', channel, receivedAt: now, part: part() }]);
      await a.commitDecision({
        notificationId: nid as number,
        reason: 'first notification',
        episode: episode({ id: 'k1', threadKey: 'k', channel }),
        actions: [{ type: 'post_parent', episodeId: 'k1' }],
        now,
      });
      const [post] = await a.outbox('k1');
      const original = await slack.postMessage({ channel, text: 'parent k1' });
      await a.claimOutbox(post!.id, now);
      await a.completeOutbox(post!.id, {
        threadId: 'k1',
        outboxId: post!.id,
        channel,
        ts: original.ts,
        kind: 'parent',
        text: 'parent k1',
        blocks: null,
        at: now,
      });
      await slack.deleteMessage(channel, original.ts);
      // A's edit and B's reply each found the parent gone.
      await a.enqueue('k1', 'update_parent', null, now);
      await a.enqueue('k1', 'reply', { kind: 'still_firing', firing: 1 }, now);
      const [, edit, reply] = await a.outbox('k1');
      expect(await a.claimOutbox(edit!.id, now, 'A')).toBe(true);
      expect(await b.claimOutbox(reply!.id, now, 'B')).toBe(true);
      const thread = (await a.getThread('k1')) as ThreadRecord<unknown>;

      const context = (store: PostgresStore, owner: string, client: SlackClient): HealContext => ({
        deps: {
          store,
          client,
          renderers: { alert: renderer },
          clock: systemClock,
          policy: { attempts: 5, baseMs: 100, maxDelayMs: 1_000, jitter: 'none' },
        },
        replica: new ReplicaLeases({
          store,
          owner,
          leaseMs: LEASE_MS,
          clock: systemClock,
          kinds: ['alert'],
          tokenIntervalMs: 1_000,
        }),
        installation: 'heal-race',
        postGate: () => new RateGate(1, 3, Date.now()),
        failed: async (err) => {
          throw err;
        },
      });
      const heal = { reason: 'parent_deleted' as const, channel };
      const asItem = (row: OutboxItem | undefined) => ({ ...row!, status: 'inflight' as const });

      const slowA = slowAnswers(slack);
      const healA = healThread(context(a, 'A', slowA.client), asItem(edit), thread, heal);
      const live = () => emu.messages(channel).filter((m) => !m.deleted && !m.thread_ts);
      await waitFor(async () => (live().length === 1 ? true : undefined), {
        what: "A's fresh parent in Slack",
      });
      const extra = live()[0]!.ts;

      // A's heal lease lapses while it waits for Slack's answer; B heals the thread meanwhile.
      await advanceDbClock(url, LEASE_MS + 1);
      await healThread(context(b, 'B', slack), asItem(reply), thread, heal);
      slowA.release();
      await healA;

      const parents = live();
      expect(parents).toHaveLength(1);
      expect(parents[0]?.ts).not.toBe(extra);
      expect(emu.messages(channel).find((m) => m.ts === extra)?.deleted).toBe(true);
      expect(await a.getThread('k1')).toMatchObject({ channel, parentTs: parents[0]?.ts });
      expect(await a.parentMoves('k1')).toHaveLength(1);
      // A's edit goes back to be sent to the winner's parent, B's reply to be sent under it.
      const rows = await a.outbox('k1');
      expect(rows.find((o) => o.id === edit!.id)).toMatchObject({
        status: 'pending',
        lastError: 'parent_deleted_waiting',
      });
      expect(rows.find((o) => o.id === reply!.id)).toMatchObject({ status: 'pending' });
      expect(emu.calls({ method: 'chat.delete', channel }).map((c) => c.ok)).toEqual([true, true]);
    }, 30_000);
  });
}
