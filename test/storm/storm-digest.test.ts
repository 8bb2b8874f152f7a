import { afterEach, describe, expect, it } from 'vitest';
import type { MessageView } from '../../src/emulator/index.js';
import { startFakeTimeRig, group, groupNames, type FakeTimeRig } from './fake-time-rig.js';

/**
 * Storm digest, as a timeline in fake time against the emulator with Slack's real limits
 * (1 post/s per channel, burst 3; chat.update 50/min) and the default budget (10 new threads per
 * 60 s, storm over at ≤ 5): 300 groups fire within 20 s on one channel.
 */
const CHANNEL = 'C_ALERTS';
const ACTIVE = /threader_storm_active\{channel="C_ALERTS"\} (\d+)/;

const allText = (m: MessageView) => JSON.stringify([m.text, m.blocks, m.attachments]);

describe('storm digest', () => {
  let rig: FakeTimeRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('300 groups in 20 s: a digest takes the overflow, every resolve lands, Slack limits hold', async () => {
    rig = await startFakeTimeRig();
    const { t, emu } = rig;
    const names = groupNames('Storm', 300);

    // 0–20 s: 15 new groups every second.
    for (let s = 0; s < 20; s++) {
      await rig.send(names.slice(s * 15, s * 15 + 15).map((n) => group(n)));
      await rig.step(1_000);
    }
    // The budget's worth of groups got their own threads; the rest went to ONE digest.
    const health = await t.json<{ storm: { active: boolean; channels: Array<Record<string, unknown>> } }>(
      '/health',
    );
    expect(health.storm.active).toBe(true);
    expect(health.storm.channels).toEqual([
      expect.objectContaining({ channel: CHANNEL, groups: 290, digest: `digest:${CHANNEL}:1` }),
    ]);
    expect(await rig.metric(ACTIVE)).toBe(1);
    expect(await rig.metric(/threader_storm_digested_groups_total\{channel="C_ALERTS"\} (\d+)/)).toBe(290);

    // Draining takes Slack's one post per second; the storm ends meanwhile (nothing new for 60 s).
    await rig.drain();
    expect(await rig.metric(ACTIVE)).toBe(0);
    expect((await t.json<{ storm: { active: boolean } }>('/health')).storm.active).toBe(false);

    let threads = emu.threads(CHANNEL);
    expect(threads).toHaveLength(11);
    const digest = threads.find((th) => th.parent.text.startsWith('Storm'));
    expect(digest, 'a digest parent').toBeDefined();
    expect(digest!.parent.text).toBe('Storm over: 290 groups collected in C_ALERTS, 290 firing');
    expect(allText(digest!.parent)).toContain('new groups get their own threads again');
    // Each group collected tells its details once in the digest thread.
    expect(digest!.replies).toHaveLength(290);
    expect(new Set(digest!.replies.map((r) => r.text.split(' — ')[1])).size).toBe(290);

    // Everything resolves, 15 groups a second.
    for (let s = 0; s < 20; s++) {
      await rig.send(names.slice(s * 15, s * 15 + 15).map((n) => group(n, 'resolved')));
      await rig.step(1_000);
    }
    // After the storm, a new group gets its own thread again.
    await rig.send([group('AfterTheStorm')]);
    await rig.drain();

    threads = emu.threads(CHANNEL);
    expect(threads).toHaveLength(12);
    expect(threads.some((th) => th.parent.text.includes('AfterTheStorm'))).toBe(true);
    const own = threads.filter((th) => /Storm\d{3}/.test(th.parent.text));
    expect(own).toHaveLength(10);
    for (const th of own) {
      expect(th.parent.text).toMatch(/^✅ RESOLVED/);
      expect(th.replies.map((r) => r.text)).toEqual([expect.stringMatching(/^✅ All resolved after /)]);
    }
    const final = threads.find((th) => th.parent.text.startsWith('Storm'))!;
    expect(final.parent.text).toBe('Storm over: 290 groups collected in C_ALERTS, 0 firing');
    expect(allText(final.parent)).toContain('0 firing · 290 resolved');
    const resolves = final.replies.filter((r) => r.text.startsWith('✅ All resolved'));
    expect(new Set(resolves.map((r) => r.text.split(' — ')[1])).size).toBe(290);
    expect(final.replies).toHaveLength(580);

    // Slack never had to refuse anything: no 429, no message over its limits, nothing given up.
    expect(emu.stats().ratelimited).toBe(0);
    expect(emu.maxRateObserved('chat.postMessage', CHANNEL, 1_000)).toBeLessThanOrEqual(3);
    expect(emu.maxRateObserved('chat.postMessage', CHANNEL, 60_000)).toBeLessThanOrEqual(63);
    expect(emu.maxRateObserved('chat.update', undefined, 60_000)).toBeLessThanOrEqual(60);
    expect((await t.json<{ outbox: { failed: number } }>('/health')).outbox.failed).toBe(0);
    const digestEdits = emu.calls({ method: 'chat.update' }).filter((c) => c.ts === final.parent.ts);
    // 580 changes (290 joins, 290 resolves) reach Slack as a few coalesced edits, one per batch the
    // engine took (22 in this fake-time run); one edit per change, or per group, is far above 30.
    expect(digestEdits.length).toBeGreaterThan(0);
    expect(digestEdits.length).toBeLessThan(30);
  });
});
