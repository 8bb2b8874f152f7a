import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { maxInWindow } from '../../src/emulator/call-log.js';
import {
  seededRandom,
  startSlackEmulator,
  type MessageView,
  type SlackEmulator,
  type SlackEmulatorOptions,
} from '../../src/emulator/index.js';
import { SlackApiError } from '../../src/errors.js';
import type { SlackClient } from '../../src/slack/types.js';
import { createWebSlackClient } from '../../src/slack/web-client.js';
import { until } from '../helpers/alertmanager.js';
import { alert, webhookBody } from '../helpers/builders.js';
import { startThreader, TEST_TOKEN, type TestThreader } from '../helpers/threader.js';

/**
 * Slack misbehaving in every way it does (429 bursts with Retry-After, 5xx, slow answers, answers
 * that never arrive): every message still lands exactly once, in order, and the threader never
 * posts faster per channel than it is allowed to.
 *
 * Limits are Slack's scaled up ×20 (20 posts/s per channel, burst 5) so the tests are quick. The
 * threader is configured a little below them: it paces by send time, Slack counts by arrival
 * time, and the headroom absorbs the jitter (latency faults) between the two.
 */

const EMU_POST = { perChannel: true, ratePerSec: 20, burst: 5 };
const DELIVERY = { postsPerSecond: 16, postBurst: 4, updatesPerMinute: 480, updateBurst: 4 };
const SCALED_LIMITS: SlackEmulatorOptions['rateLimits'] = {
  'chat.postMessage': EMU_POST,
  'chat.update': { perChannel: false, ratePerSec: 20, burst: 10 },
  'conversations.history': { perChannel: false, ratePerSec: 20, burst: 10 },
  'conversations.replies': { perChannel: false, ratePerSec: 20, burst: 10 },
};

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function configFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'threader-faults-'));
  tempDirs.push(dir);
  const path = join(dir, 'threader.yaml');
  const d = DELIVERY;
  writeFileSync(
    path,
    [
      'routes:',
      '  - labels: { team: a }',
      '    channel: C_A',
      '  - labels: { team: b }',
      '    channel: C_B',
      'delivery:',
      `  postsPerSecond: ${d.postsPerSecond}`,
      `  postBurst: ${d.postBurst}`,
      `  updatesPerMinute: ${d.updatesPerMinute}`,
      `  updateBurst: ${d.updateBurst}`,
      // One parent per group is what these faults are measured against, not the storm digest.
      'storm:',
      '  enabled: false',
      '',
    ].join('\n'),
  );
  return path;
}

const ENDED = '2026-11-26T12:30:00Z';
function group(name: string, team: 'a' | 'b', instances: string[], status: 'firing' | 'resolved' = 'firing') {
  return webhookBody({
    groupKey: `{}:{alertname="${name}"}`,
    groupLabels: { alertname: name },
    commonLabels: { alertname: name, severity: 'critical', team },
    alerts: instances.map((instance) =>
      alert({
        status,
        ...(status === 'resolved' ? { endsAt: ENDED } : {}),
        labels: { alertname: name, team, instance },
      }),
    ),
  });
}
const names = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

const headline = (m: MessageView) => m.original.text.split(' — ')[0];
const outboxId = (m: MessageView) => Number(m.original.metadata?.event_payload.outbox_id);
const titleOf = (m: MessageView) => /\] (\w+) —/.exec(m.original.text)?.[1];

/** Every message posted once; each named group has one thread telling `replies`, nothing else. */
function expectExactlyOnce(emu: SlackEmulator, channel: string, groups: string[], replies: string[]): void {
  const messages = emu.messages(channel);
  const ids = messages.map(outboxId);
  expect(new Set(ids).size).toBe(ids.length);
  const threads = emu.threads(channel);
  expect(threads.map((th) => titleOf(th.parent)).sort()).toEqual([...groups].sort());
  for (const th of threads) expect(th.replies.map(headline)).toEqual(replies);
  expect(messages).toHaveLength(groups.length * (1 + replies.length));
  expect(messages.some((m) => m.orphan || m.thread_ts_was_reply)).toBe(false);
}

/** Every chat.postMessage the threader SENT (whatever Slack answered) on `channel` inside any window. */
function maxAttempts(log: SendLog, channel: string, windowMs: number): number {
  return maxInWindow(
    log.sent.filter((c) => c.channel === channel).map((c) => c.at),
    windowMs,
  );
}

/** What the threader's own gate allows in `windowMs`, plus one for timer rounding. */
const allowedAttempts = (windowMs: number) =>
  DELIVERY.postBurst + Math.floor((DELIVERY.postsPerSecond * windowMs) / 1000) + 1;
/** What the emulator's limit allows in `windowMs` (its configured per-channel limit). */
const emulatorLimit = (windowMs: number) =>
  EMU_POST.burst + Math.floor((EMU_POST.ratePerSec * windowMs) / 1000);

interface LimitedCall {
  channel: string;
  at: number;
  retryAfterSeconds?: number;
}

interface SendLog {
  sent: Array<{ channel: string; at: number }>;
  limited: LimitedCall[];
}

/** Wraps a SlackClient to note when each post leaves and when a 429 for it comes back. */
function recording(inner: SlackClient, log: SendLog): SlackClient {
  return {
    ...inner,
    postMessage: async (args) => {
      log.sent.push({ channel: args.channel, at: Date.now() });
      try {
        return await inner.postMessage(args);
      } catch (err) {
        if (err instanceof SlackApiError && err.slackError === 'ratelimited')
          log.limited.push({
            channel: args.channel,
            at: Date.now(),
            retryAfterSeconds: err.retryAfterSeconds,
          });
        throw err;
      }
    },
  };
}

async function metric(t: TestThreader, re: RegExp): Promise<number> {
  const m = re.exec(await (await fetch(`${t.url}/metrics`)).text());
  return m ? Number(m[1]) : 0;
}

interface Rig {
  t: TestThreader;
  /** The Slack the threader talks to (not t.emu, which stays idle). */
  emu: SlackEmulator;
  /** The threader's side of the wire: when posts left, when 429s came back. */
  log: SendLog;
}

describe('Slack faults: everything delivered exactly once, per-channel limits kept', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.t.close();
    await rig?.emu.close();
    rig = undefined;
  });

  /**
   * A threader whose Slack client records send times: the emulator shares this event loop, so
   * its arrival times lag under load, while the threader's pacing is a property of its sends.
   */
  async function start(emulator: SlackEmulatorOptions = {}, clientTimeoutMs = 5_000): Promise<Rig> {
    const emu = await startSlackEmulator({ token: TEST_TOKEN, rateLimits: SCALED_LIMITS, ...emulator });
    const log: SendLog = { sent: [], limited: [] };
    const client = createWebSlackClient({
      token: TEST_TOKEN,
      slackApiUrl: emu.url,
      timeoutMs: clientTimeoutMs,
    });
    const t = await startThreader({ configPath: configFile(), deps: { slack: recording(client, log) } });
    rig = { t, emu, log };
    return rig;
  }

  it('a 429 on one channel pauses that channel for Retry-After and does not stall another', async () => {
    const { t, emu, log } = await start();
    emu.faults.failNext('chat.postMessage', { status: 429, retryAfter: 2 });

    expect((await t.post(group('Apple00', 'a', ['n1']))).status).toBe(200);
    // The threader has taken the 429 in (and paused C_A) before more work for C_A arrives.
    await until(
      async () =>
        (await metric(t, /threader_slack_rate_limited_total\{method="chat.postMessage"\} (\d+)/)) === 1,
      { what: 'the threader saw the 429' },
    );
    const limited = log.limited[0] as LimitedCall;
    expect(limited.channel).toBe('C_A');
    const a = names('Apple', 6);
    const b = names('Berry', 10);
    for (const n of [...a.slice(1).map((x) => group(x, 'a', ['n1'])), ...b.map((x) => group(x, 'b', ['n1']))])
      expect((await t.post(n)).status).toBe(200);

    await until(() => emu.threads('C_B').length === b.length, { timeoutMs: 5_000, what: 'C_B parents' });
    const sentTo = (channel: string) => log.sent.filter((c) => c.channel === channel).map((c) => c.at);
    await t.app.settle();

    const aAfter = sentTo('C_A').filter((at) => at > limited.at);
    expect(aAfter).toHaveLength(a.length);
    // C_A waited out its Retry-After (timers may fire a few ms early) …
    expect(Math.min(...aAfter)).toBeGreaterThanOrEqual(limited.at + 2_000 - 10);
    // … while C_B went on: every C_B post was sent before C_A resumed.
    expect(Math.max(...sentTo('C_B'))).toBeLessThan(Math.min(...aAfter));
    expectExactlyOnce(emu, 'C_A', a, []);
    expectExactlyOnce(emu, 'C_B', b, []);
    expect(emu.stats().ratelimited).toBe(1);
    expect(await metric(t, /threader_slack_rate_limited_total\{method="chat.postMessage"\} (\d+)/)).toBe(1);
    expect(
      await metric(t, /threader_slack_retry_after_seconds_total\{method="chat.postMessage"\} (\d+)/),
    ).toBe(2);
  });

  it('a burst of 429s: after each, that channel sends nothing for Retry-After; all delivered once', async () => {
    // A post that passed the gate just before the 429 came back may still leave a moment after it.
    const { t, emu, log } = await start();
    emu.faults.failNext('chat.postMessage', { status: 429, retryAfter: 1, count: 6 });
    const a = names('Ant', 8);
    const b = names('Bee', 8);
    const bodies = [...a.map((n) => group(n, 'a', ['n1'])), ...b.map((n) => group(n, 'b', ['n1']))];
    const statuses = await Promise.all(bodies.map(async (body) => (await t.post(body)).status));
    expect(statuses).toEqual(Array(bodies.length).fill(200));
    await t.app.settle();

    expect(emu.stats().ratelimited).toBe(6);
    expect(log.limited).toHaveLength(6);
    for (const limited of log.limited) {
      expect(limited.retryAfterSeconds).toBe(1);
      const during = log.sent.filter(
        (c) => c.channel === limited.channel && c.at > limited.at + 100 && c.at < limited.at + 1_000,
      );
      expect(during, `${limited.channel} posted inside Retry-After of a 429`).toEqual([]);
    }
    expectExactlyOnce(emu, 'C_A', a, []);
    expectExactlyOnce(emu, 'C_B', b, []);
  });

  it('30 % 5xx, slow answers and lost responses: every parent and reply once, in order, within the rate', async () => {
    const { t, emu, log } = await start({
      random: seededRandom(20261126),
      faults: { errorRate: 0.3, latencyMs: [5, 60], dropResponseRate: 0.1 },
    });
    const a = names('Aspen', 12);
    const b = names('Birch', 12);
    const all = [...a.map((n) => [n, 'a'] as const), ...b.map((n) => [n, 'b'] as const)];
    // Each group fires with two alerts, grows to three, then resolves: three notifications each.
    for (const [wave, make] of [
      ['fire', (n: string, team: 'a' | 'b') => group(n, team, ['n1', 'n2'])],
      ['grow', (n: string, team: 'a' | 'b') => group(n, team, ['n1', 'n2', 'n3'])],
      ['resolve', (n: string, team: 'a' | 'b') => group(n, team, ['n1', 'n2', 'n3'], 'resolved')],
    ] as const) {
      const statuses = await Promise.all(all.map(async ([n, team]) => (await t.post(make(n, team))).status));
      expect(statuses, wave).toEqual(Array(all.length).fill(200));
    }
    await t.app.settle();

    const stats = emu.stats();
    expect(stats.server_errors).toBeGreaterThan(10);
    expect(stats.dropped).toBeGreaterThan(3);
    // Slack's own limiter never had to say no: the threader paced itself.
    expect(stats.ratelimited).toBe(0);
    for (const [channel, groups] of [
      ['C_A', a],
      ['C_B', b],
    ] as const) {
      expectExactlyOnce(emu, channel, groups, [
        '🔥 1 new alert firing',
        expect.stringMatching(/^✅ All resolved after /),
      ] as never);
      for (const th of emu.threads(channel)) {
        expect(th.parent.text).toMatch(/RESOLVED \[critical\] \w+ — 0 firing, 3 resolved/);
        expect(th.replies.every((r) => r.posted_at_ms > th.parent.posted_at_ms)).toBe(true);
      }
      for (const windowMs of [1_000, 3_000]) {
        expect(emu.maxRateObserved('chat.postMessage', channel, windowMs)).toBeLessThanOrEqual(
          emulatorLimit(windowMs),
        );
        expect(maxAttempts(log, channel, windowMs)).toBeLessThanOrEqual(allowedAttempts(windowMs));
      }
    }
    expect((await t.json<{ outbox: { failed: number } }>('/health')).outbox.failed).toBe(0);
    expect(await metric(t, /threader_slack_reconciled_total (\d+)/)).toBeGreaterThan(0);
  });

  // After a client-side timeout the post may still be landing in Slack: the engine waits a grace
  // period (the client timeout) before it looks the post up, so it never posts it twice.
  it('a post that outlives the client timeout lands once, not once per attempt', async () => {
    const { t, emu } = await start({ faults: { latencyMs: 500, methods: ['chat.postMessage'] } }, 300);
    const groups = names('Slow', 3);
    for (const n of groups) expect((await t.post(group(n, 'a', ['n1']))).status).toBe(200);
    await t.app.settle();
    // Every attempt the threader made (timed out or not) has landed in Slack by now.
    const attempts = async () => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      return [
        ...text.matchAll(/threader_slack_calls_total\{method="chat.postMessage",result="[^"]+"\} (\d+)/g),
      ]
        .map((m) => Number(m[1]))
        .reduce((x, y) => x + y, 0);
    };
    await until(async () => emu.calls({ method: 'chat.postMessage' }).length === (await attempts()), {
      what: 'every attempt landed',
    });
    expect(emu.messages('C_A').map(titleOf).sort()).toEqual(groups);
  });
});
