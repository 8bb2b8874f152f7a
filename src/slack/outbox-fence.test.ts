import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite.js';
import type { Logger } from '../telemetry/logger.js';
import { episode, part } from '../../test/helpers/builders.js';
import { completeClaimed, failClaimed } from './outbox-fence.js';

/** A logger that keeps what was warned. */
function recordingLogger(): { logger: Logger; warned: Array<{ fields: object; msg: string }> } {
  const warned: Array<{ fields: object; msg: string }> = [];
  const logger = { warn: (fields: object, msg: string) => warned.push({ fields, msg }) } as unknown as Logger;
  return { logger, warned };
}

async function storeWithQueuedParent() {
  const store = new SqliteStore({ path: ':memory:' });
  await store.init();
  const [nid] = await store.appendNotifications([
    { threadKey: 'k1', channel: 'C1', receivedAt: 1, part: part() },
  ]);
  await store.commitDecision({
    notificationId: nid as number,
    reason: 'first notification',
    episode: episode({ id: 'ep_a', threadKey: 'k1', channel: 'C1' }),
    actions: [{ type: 'post_parent', episodeId: 'ep_a' }],
    now: 1,
  });
  const [item] = await store.deliverable(100, 10);
  return { store, item: item! };
}

const record = (outboxId: number) => ({
  threadId: 'ep_a',
  outboxId,
  channel: 'C1',
  ts: '1.000001',
  kind: 'parent' as const,
  text: 'p',
  blocks: [],
  at: 100,
});

describe('finishing a claimed outbox row', () => {
  it('records the result while the row is still ours, and says nothing', async () => {
    const { store, item } = await storeWithQueuedParent();
    const { logger, warned } = recordingLogger();
    await store.claimOutbox(item.id, 100);
    await completeClaimed({ store, logger }, item, record(item.id));
    expect((await store.getThread('ep_a'))?.parentTs).toBe('1.000001');
    expect(warned).toEqual([]);
  });

  it('drops a late result for a row taken back meanwhile, and logs it', async () => {
    const { store, item } = await storeWithQueuedParent();
    const { logger, warned } = recordingLogger();
    await store.claimOutbox(item.id, 100);
    await store.recoverInflight({ claimedFor: { ms: 0, now: 100 } });
    await completeClaimed({ store, logger, owner: 'replica-a' }, item, record(item.id));
    await failClaimed({ store, logger }, item, { error: 'timeout', retryAt: 0, uncertain: true, dead: true });
    expect((await store.getThread('ep_a'))?.parentTs).toBeNull();
    expect((await store.outbox('ep_a')).map((o) => [o.status, o.uncertain])).toEqual([['pending', true]]);
    expect(warned.map((w) => [w.msg, (w.fields as { result: string }).result])).toEqual([
      ['late result for a Slack action no longer ours (taken back after a stall); ignored', 'done'],
      ['late result for a Slack action no longer ours (taken back after a stall); ignored', 'dead'],
    ]);
    expect(warned[0]?.fields).toMatchObject({ outboxId: item.id, threadId: 'ep_a', owner: 'replica-a' });
  });
});
