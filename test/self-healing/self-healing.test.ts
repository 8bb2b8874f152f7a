import { afterEach, describe, expect, it } from 'vitest';
import type { MessageView, ThreadView } from '../../src/emulator/index.js';
import { alert, webhookBody } from '../helpers/builders.js';
import { startFakeTimeRig, type FakeTimeRig } from '../storm/fake-time-rig.js';

/**
 * Self-healing threads against the emulator's own errors: a parent deleted (message_not_found on
 * chat.update), a parent Slack will not let us edit (edit_window_closed, cant_update_message), a
 * channel archived (is_archived) or gone (channel_not_found). Each reads as a timeline: fire, break
 * something the way a person or Slack would, go on, resolve — the thread goes on and nothing is lost.
 */
const DEFAULT = 'C_ALERTS';
const CONFIG = [
  'routes:',
  '  - labels: { team: a }',
  '    channel: C_TEAM',
  '  - labels: { team: gone }',
  '    channel: C_GONE',
  '',
].join('\n');

function body(name: string, instances: string[], status: 'firing' | 'resolved' = 'firing', team?: string) {
  const labels = { alertname: name, severity: 'critical', ...(team && { team }) };
  return webhookBody({
    groupKey: `{}:{alertname="${name}"}`,
    groupLabels: { alertname: name },
    commonLabels: labels,
    alerts: instances.map((instance) =>
      alert({
        status,
        ...(status === 'resolved' ? { endsAt: '2026-11-26T13:00:00Z' } : {}),
        labels: { ...labels, instance },
      }),
    ),
  });
}

const live = (threads: ThreadView[]) => threads.filter((th) => !th.parent.deleted);
const allText = (m: MessageView) => JSON.stringify([m.text, m.blocks, m.attachments]);
const headlines = (th: ThreadView) => th.replies.map((r) => r.text.split(' — ')[0]);

describe('self-healing threads', () => {
  let rig: FakeTimeRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  async function start(): Promise<FakeTimeRig> {
    rig = await startFakeTimeRig({ config: CONFIG });
    return rig;
  }

  it('a deleted parent: a fresh parent links the old thread, the thread and its resolve go on there', async () => {
    const { emu, t, ...r } = await start();
    await r.send([body('DiskFull', ['db1'])]);
    await r.drain();
    const [first] = emu.threads(DEFAULT);
    expect(emu.deleteMessage(DEFAULT, first!.parent.ts)).toBe(true);

    // Grows: the reply lands under the deleted parent, the edit finds it gone and heals.
    await r.send([body('DiskFull', ['db1', 'db2'])]);
    await r.drain();
    await r.send([body('DiskFull', ['db1', 'db2'], 'resolved')]);
    await r.drain();

    const threads = live(emu.threads(DEFAULT));
    expect(threads).toHaveLength(1);
    const healed = threads[0]!;
    expect(healed.parent.ts).not.toBe(first!.parent.ts);
    expect(healed.parent.text).toMatch(/^✅ RESOLVED \[critical\] DiskFull/);
    expect(allText(healed.parent)).toContain('The first message of this thread was deleted');
    // The reply that went under the deleted parent is told again here, then the resolve.
    expect(headlines(healed)).toEqual(['🔥 1 new alert firing', expect.stringMatching(/^✅ All resolved/)]);
    expect(await rig!.metric(/threader_parents_replaced_total\{reason="parent_deleted"\} (\d+)/)).toBe(1);
    expect((await t.json<{ outbox: { failed: number } }>('/health')).outbox.failed).toBe(0);
  });

  it.each([
    ['edit_window_closed', 'the edit window closed'],
    ['cant_update_message', 'Slack refuses the edit'],
  ])('%s (%s): a fresh parent links the old one and takes over', async (error) => {
    const { emu, ...r } = await start();
    await r.send([body('HighLatency', ['api1'])]);
    await r.drain();
    const [first] = emu.threads(DEFAULT);
    if (error === 'edit_window_closed') emu.setEditWindowClosed(first!.parent.ts, DEFAULT);
    // Slack keeps refusing edits of that message (it belongs to another token now).
    else emu.faults.failNext('chat.update', { error, count: 3 });

    await r.send([body('HighLatency', ['api1', 'api2'])]);
    await r.drain();
    await r.send([body('HighLatency', ['api1', 'api2'], 'resolved')]);
    await r.drain();

    const threads = emu.threads(DEFAULT);
    expect(threads).toHaveLength(2);
    const [old, fresh] = threads as [ThreadView, ThreadView];
    // The old thread keeps what it told; it is never edited again.
    expect(old.parent.text).toMatch(/^🚨 FIRING/);
    expect(headlines(old)).toEqual(['🔥 1 new alert firing']);
    expect(allText(fresh.parent)).toContain('Slack no longer lets us edit the first message of this thread');
    const permalink = `archives/${DEFAULT}/p${old.parent.ts.replace('.', '')}`;
    expect(allText(fresh.parent)).toContain(permalink);
    expect(fresh.parent.text).toMatch(/^✅ RESOLVED/);
    expect(headlines(fresh)).toEqual([expect.stringMatching(/^✅ All resolved/)]);
    expect(await rig!.metric(/threader_parents_replaced_total\{reason="edit_refused"\} (\d+)/)).toBe(1);
  });

  it('an archived channel: the thread moves to the default channel and says why', async () => {
    const { emu, ...r } = await start();
    await r.send([body('QueueBacklog', ['q1'], 'firing', 'a')]);
    await r.drain();
    const [old] = emu.threads('C_TEAM');
    expect(old).toBeDefined();
    emu.archiveChannel('C_TEAM');

    await r.send([body('QueueBacklog', ['q1', 'q2'], 'firing', 'a')]);
    await r.drain();
    await r.send([body('QueueBacklog', ['q1', 'q2'], 'resolved', 'a')]);
    await r.drain();

    const moved = emu.threads(DEFAULT);
    expect(moved).toHaveLength(1);
    const th = moved[0]!;
    expect(allText(th.parent)).toContain('Posted here because <#C_TEAM> is archived.');
    expect(th.parent.text).toContain('posted here because #C_TEAM is archived');
    expect(allText(th.parent)).toContain(`archives/C_TEAM/p${old!.parent.ts.replace('.', '')}`);
    expect(th.parent.text).toMatch(/^✅ RESOLVED/);
    expect(headlines(th)).toEqual(['🔥 1 new alert firing', expect.stringMatching(/^✅ All resolved/)]);
    // Nothing new reached the archived channel.
    expect(emu.threads('C_TEAM')).toHaveLength(1);
    expect(emu.threads('C_TEAM')[0]!.replies).toHaveLength(0);
    expect(await rig!.metric(/threader_channel_fallbacks_total\{reason="channel_archived"\} (\d+)/)).toBe(1);
  });

  it('a channel that does not exist: the first parent goes to the default channel and says why', async () => {
    const { emu, t, ...r } = await start();
    emu.deleteChannel('C_GONE');
    await r.send([body('Orphaned', ['x1'], 'firing', 'gone')]);
    await r.drain();
    await r.send([body('Orphaned', ['x1'], 'resolved', 'gone')]);
    await r.drain();

    const [th] = emu.threads(DEFAULT);
    expect(allText(th!.parent)).toContain('Posted here because channel C_GONE was not found.');
    expect(th!.parent.text).toMatch(/^✅ RESOLVED/);
    expect(headlines(th!)).toEqual([expect.stringMatching(/^✅ All resolved/)]);
    expect(await rig!.metric(/threader_channel_fallbacks_total\{reason="channel_not_found"\} (\d+)/)).toBe(1);
    // Moved, not stuck: nothing waits for a person to fix the channel.
    const health = await t.json<{ outbox: { depth: number; failed: number } }>('/health');
    expect(health.outbox).toMatchObject({ depth: 0, failed: 0 });
  });

  it('a default channel that is archived too has nowhere to go: the parent waits, nothing is dropped', async () => {
    const { emu, t, ...r } = await start();
    emu.archiveChannel(DEFAULT);
    await r.send([body('Nowhere', ['n1'])]);
    await r.step(5_000);
    const health = await t.json<{ outbox: { depth: number; failed: number } }>('/health');
    expect(health.outbox).toMatchObject({ depth: 1, failed: 0 });
    emu.unarchiveChannel(DEFAULT);
    // Blocked refusals are retried after a minute.
    await r.step(61_000);
    await r.drain();
    expect(emu.threads(DEFAULT).map((th) => th.parent.text)).toEqual([
      expect.stringMatching(/^🚨 FIRING \[critical\] Nowhere/),
    ]);
  });
});
