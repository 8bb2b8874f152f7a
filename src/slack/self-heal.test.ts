import { describe, expect, it } from 'vitest';
import { episode, part } from '../../test/helpers/builders.js';
import type { ParentMove } from '../store/storm-types.js';
import { SqliteStore } from '../store/sqlite.js';
import { moveNotice, requeueRepliesAtRisk, withMoveNotice } from './self-heal.js';

const move = (over: Partial<ParentMove> = {}): ParentMove => ({
  threadId: 't',
  reason: 'channel_archived',
  fromChannel: 'C_TEAM',
  fromTs: '1.000001',
  toChannel: 'C_ALERTS',
  toTs: '2.000001',
  permalink: 'https://slack.example/archives/C_TEAM/p1000001',
  at: 0,
  ...over,
});

describe('moveNotice', () => {
  it.each<[string, Partial<ParentMove>, string]>([
    [
      'an archived channel is named, with a link to the earlier thread',
      {},
      '📦 Posted here because <#C_TEAM> is archived. <https://slack.example/archives/C_TEAM/p1000001|Earlier thread>',
    ],
    [
      'a missing channel is named by its ID (a mention of it would not render)',
      { reason: 'channel_not_found', permalink: null },
      '📦 Posted here because channel C_TEAM was not found.',
    ],
    [
      'a deleted parent links the replies it left behind',
      { reason: 'parent_deleted' },
      '↪️ The first message of this thread was deleted, so the thread continues here. <https://slack.example/archives/C_TEAM/p1000001|Earlier replies>',
    ],
    [
      'a refused edit links the message that can no longer change',
      { reason: 'edit_refused' },
      '↪️ Slack no longer lets us edit the first message of this thread, so it continues here. <https://slack.example/archives/C_TEAM/p1000001|Previous message>',
    ],
  ])('%s', (_name, over, expected) => {
    expect(moveNotice(move(over)).mrkdwn).toBe(expected);
  });
});

describe('withMoveNotice', () => {
  it('leaves a message that never moved alone', () => {
    const msg = { text: 'x', blocks: [{ type: 'header' }] };
    expect(withMoveNotice(msg, [])).toBe(msg);
  });

  it('tells the latest move under the header and in the notification text', () => {
    const msg = withMoveNotice({ text: '🚨 FIRING', blocks: [{ type: 'header' }] }, [
      move({ reason: 'parent_deleted' }),
      move(),
    ]);
    expect(msg.text).toBe('🚨 FIRING (posted here because #C_TEAM is archived)');
    expect(msg.blocks).toHaveLength(2);
    expect(JSON.stringify(msg.blocks?.[1])).toContain('is archived');
  });

  it('puts the notice first in the attachment of a message without top-level blocks', () => {
    const msg = withMoveNotice(
      { text: 'digest', attachments: [{ color: '#fff', blocks: [{ type: 'section' }] }] },
      [move()],
    );
    expect(msg.attachments?.[0]?.blocks?.map((b) => b.type)).toEqual(['context', 'section']);
  });
});

describe('requeueRepliesAtRisk', () => {
  it('queues again exactly the replies sent after the last successful parent edit', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    const [nid] = await store.appendNotifications([
      { threadKey: 'k', channel: 'C1', receivedAt: 1, part: part() },
    ]);
    await store.commitDecision({
      notificationId: nid as number,
      reason: 'first notification',
      episode: episode({ id: 'ep', threadKey: 'k', channel: 'C1' }),
      actions: [{ type: 'post_parent', episodeId: 'ep' }],
      now: 1,
    });
    const deliver = async (kind: 'reply' | 'update_parent' | 'post_parent', payload: unknown, ts: string) => {
      const id =
        kind === 'post_parent'
          ? (await store.outbox('ep'))[0]!.id
          : await store.enqueue('ep', kind, payload, 2);
      await store.claimOutbox(id, 2);
      const recordKind = kind === 'reply' ? 'reply' : kind === 'update_parent' ? 'edit' : 'parent';
      await store.completeOutbox(id, {
        threadId: 'ep',
        outboxId: id,
        channel: 'C1',
        ts,
        kind: recordKind,
        text: '',
        blocks: null,
        at: 2,
      });
    };
    await deliver('post_parent', null, '1.0');
    await deliver('reply', { kind: 'still_firing', firing: 1 }, '1.1');
    await deliver('update_parent', null, '1.0');
    await deliver('reply', { kind: 'still_firing', firing: 2 }, '1.2');
    await deliver('reply', { kind: 'still_firing', firing: 3 }, '1.3');

    expect(await requeueRepliesAtRisk(store, 'ep', 'C1', 5)).toBe(2);
    const pending = (await store.outbox('ep')).filter((o) => o.status === 'pending');
    expect(pending.map((o) => o.payload)).toEqual([
      { kind: 'still_firing', firing: 2 },
      { kind: 'still_firing', firing: 3 },
    ]);
    await store.close();
  });
});
