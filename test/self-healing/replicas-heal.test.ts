import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { EpisodeState } from '../../src/core/types.js';
import { SlackApiError } from '../../src/errors.js';
import { ThreadEngine, type ThreadRenderer } from '../../src/slack/thread-engine.js';
import type { PostMessageArgs, UpdateMessageArgs } from '../../src/slack/types.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { episode, part } from '../helpers/builders.js';
import { MemorySlack } from '../helpers/memory-slack.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * Two replicas on one PostgreSQL heal the same thread at the same moment: the channel was archived,
 * the replica holding the channel's post lease fails a reply and the one holding the edit lease
 * fails the parent's edit — both with the thread as it was. Exactly one fresh parent may appear in
 * the default channel, and the thread goes on there.
 */

const renderer: ThreadRenderer<EpisodeState> = {
  parent: (t) => ({ text: `parent ${t.id}` }),
  reply: (_t, payload) => ({ text: `reply ${JSON.stringify(payload)}` }),
};

/**
 * Slack with channel C1 archived. The two calls into C1 are held until both arrived, so each
 * replica fails with the thread as both read it: the race the review found, made certain.
 */
class ArchivedChannelSlack extends MemorySlack {
  private held: Array<() => void> = [];
  private async intoArchived(): Promise<never> {
    await new Promise<void>((resolve) => {
      this.held.push(resolve);
      if (this.held.length >= 2) for (const r of this.held.splice(0)) r();
    });
    throw new SlackApiError('is_archived', 'chat.postMessage');
  }
  override async postMessage(args: PostMessageArgs) {
    return args.channel === 'C1' ? this.intoArchived() : super.postMessage(args);
  }
  override async update(args: UpdateMessageArgs) {
    return args.channel === 'C1' ? this.intoArchived() : super.update(args);
  }
}

const missing = postgresMissing();
let server: TestPostgres;
const stores: PostgresStore[] = [];

if (missing) {
  describe.skip(`replicas healing one thread (skipped: ${missing})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
    await server?.stop();
  });

  describe('replicas healing one thread', () => {
    it('a reply failing on one replica and an edit on the other give ONE fresh parent', async () => {
      const url = await server.createDatabase();
      const open = async () => {
        const s = new PostgresStore({ url, poolSize: 4 });
        await s.init();
        stores.push(s);
        return s;
      };
      const [a, b] = [await open(), await open()];
      const now = Date.now();
      const [nid] = await a.appendNotifications([
        { threadKey: 'k', channel: 'C1', receivedAt: now, part: part() },
      ]);
      await a.commitDecision({
        notificationId: nid as number,
        reason: 'first notification',
        episode: episode({ id: 'k1', threadKey: 'k', channel: 'C1' }),
        actions: [{ type: 'post_parent', episodeId: 'k1' }],
        now,
      });
      const [post] = await a.outbox('k1');
      await a.claimOutbox(post!.id, now);
      await a.completeOutbox(post!.id, {
        threadId: 'k1',
        outboxId: post!.id,
        channel: 'C1',
        ts: '1700000000.000001',
        kind: 'parent',
        text: 'parent',
        blocks: null,
        at: now,
      });
      await a.enqueue('k1', 'reply', { kind: 'still_firing', firing: 1 }, now);
      await a.enqueue('k1', 'update_parent', null, now);
      // Replica A sends this channel's posts, replica B every edit.
      const ttlMs = 30_000;
      expect(await a.holdLeases(['post:C1'], { owner: 'A', now, ttlMs })).toEqual(['post:C1']);
      expect(await b.holdLeases(['update'], { owner: 'B', now, ttlMs })).toEqual(['update']);

      const slack = new ArchivedChannelSlack(() => Date.now());
      const engine = (store: PostgresStore, owner: string) =>
        new ThreadEngine({
          store,
          client: slack,
          renderers: { alert: renderer },
          clock: systemClock,
          policy: { attempts: 5, baseMs: 100, maxDelayMs: 1_000, jitter: 'none' },
          idlePollMs: 100,
          fallbackChannel: 'C_DEFAULT',
          replica: { owner, leaseMs: ttlMs },
        });
      const engines = [engine(a, 'A'), engine(b, 'B')];
      await Promise.all(engines.map((e) => e.start()));
      await Promise.all(engines.map((e) => e.whenIdle()));
      await Promise.all(engines.map((e) => e.drain(1_000)));

      const parents = slack.messages.filter((m) => m.channel === 'C_DEFAULT' && !m.thread_ts);
      expect(parents).toHaveLength(1);
      const thread = await a.getThread('k1');
      expect(thread).toMatchObject({ channel: 'C_DEFAULT', parentTs: parents[0]?.ts });
      expect(await a.parentMoves('k1')).toHaveLength(1);
      // The reply went out under the fresh parent, the edit settled, nothing is left or dead.
      const replies = slack.messages.filter((m) => m.thread_ts === parents[0]?.ts);
      expect(replies).toHaveLength(1);
      expect((await a.outbox('k1')).map((o) => o.status)).toEqual(['done', 'done', 'done']);
    }, 30_000);
  });
}
