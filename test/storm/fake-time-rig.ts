import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackEmulator, type SlackEmulator } from '../../src/emulator/index.js';
import type { SlackClient } from '../../src/slack/types.js';
import { createWebSlackClient } from '../../src/slack/web-client.js';
import { alert, webhookBody } from '../helpers/builders.js';
import { FakeClock, flush } from '../helpers/fake-clock.js';
import { startThreader, TEST_TOKEN, type TestThreader } from '../helpers/threader.js';

/**
 * A real app (HTTP, SQLite, thread engine) and a real emulator sharing ONE fake clock: Slack's
 * own limits (1 post/s per channel, Tier 3 edits) and the storm window run in fake time, so
 * ten minutes of Slack traffic take seconds. Time only moves in `step()`, and only once every
 * Slack call in flight has been answered — an event, not a sleep.
 */
export interface FakeTimeRig {
  t: TestThreader;
  emu: SlackEmulator;
  clock: FakeClock;
  /** Moves fake time on by `ms` in slices, letting the app and Slack finish each slice. */
  step(ms: number, sliceMs?: number): Promise<void>;
  /** Posts webhooks and waits until the processor decided them. */
  send(bodies: unknown[]): Promise<void>;
  /** Steps until nothing is left to deliver (or `maxMs` of fake time passed). */
  drain(maxMs?: number): Promise<void>;
  metric(re: RegExp): Promise<number>;
  close(): Promise<void>;
}

export async function startFakeTimeRig(
  opts: { config?: string; channels?: string[] } = {},
): Promise<FakeTimeRig> {
  const clock = new FakeClock();
  const emu = await startSlackEmulator({
    token: TEST_TOKEN,
    now: () => clock.now(),
    ...(opts.channels && { channels: opts.channels, autoCreateChannels: false }),
  });
  const inflight = { n: 0, waiters: [] as Array<() => void> };
  const client = counting(
    createWebSlackClient({ token: TEST_TOKEN, slackApiUrl: emu.url, timeoutMs: 5_000 }),
    inflight,
  );
  let configPath: string | undefined;
  if (opts.config) {
    configPath = join(mkdtempSync(join(tmpdir(), 'threader-storm-')), 'threader.yaml');
    writeFileSync(configPath, opts.config);
  }
  const t = await startThreader({ configPath, deps: { clock, slack: client } });
  const quiet = async () => {
    for (let i = 0; i < 50; i++) {
      while (inflight.n > 0) await new Promise<void>((r) => inflight.waiters.push(r));
      await t.app.processor.whenIdle();
      await flush(5);
      if (inflight.n === 0) return;
    }
  };
  const step = async (ms: number, sliceMs = 250) => {
    for (let done = 0; done < ms; done += sliceMs) {
      await clock.advance(Math.min(sliceMs, ms - done));
      await quiet();
    }
  };
  return {
    t,
    emu,
    clock,
    step,
    async send(bodies) {
      for (const b of bodies) {
        const res = await t.post(b);
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      }
      await quiet();
    },
    async drain(maxMs = 3_600_000) {
      for (let waited = 0; waited < maxMs; waited += 1_000) {
        const s = await t.app.store.stats(clock.now());
        if (s.outboxDepth === 0 && s.pendingNotifications === 0) return;
        await step(1_000);
      }
      throw new Error('outbox did not drain');
    },
    async metric(re) {
      const m = re.exec(await (await fetch(`${t.url}/metrics`)).text());
      return m ? Number(m[1]) : Number.NaN;
    },
    async close() {
      await t.close();
      await emu.close();
    },
  };
}

/** The client with a count of calls in flight, so time moves only between Slack's answers. */
function counting(inner: SlackClient, inflight: { n: number; waiters: Array<() => void> }): SlackClient {
  const wrap =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      inflight.n++;
      try {
        return await fn(...a);
      } finally {
        inflight.n--;
        if (inflight.n === 0) for (const w of inflight.waiters.splice(0)) w();
      }
    };
  return {
    authTest: wrap(inner.authTest.bind(inner)),
    postMessage: wrap(inner.postMessage.bind(inner)),
    update: wrap(inner.update.bind(inner)),
    getPermalink: wrap(inner.getPermalink.bind(inner)),
    history: wrap(inner.history.bind(inner)),
    replies: wrap(inner.replies.bind(inner)),
    addReaction: wrap(inner.addReaction.bind(inner)),
    deleteMessage: wrap(inner.deleteMessage.bind(inner)),
  };
}

/** One Alertmanager group `name` with `n` alerts, all firing or all resolved. */
export function group(name: string, status: 'firing' | 'resolved' = 'firing', n = 2, severity = 'critical') {
  return webhookBody({
    groupKey: `{}:{alertname="${name}"}`,
    groupLabels: { alertname: name },
    commonLabels: { alertname: name, severity },
    alerts: Array.from({ length: n }, (_, i) =>
      alert({
        status,
        ...(status === 'resolved' ? { endsAt: '2026-11-26T13:00:00Z' } : {}),
        labels: { alertname: name, severity, instance: `node-${i}` },
      }),
    ),
  });
}

export const groupNames = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
