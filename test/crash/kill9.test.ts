import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type MessageView, type SlackEmulator } from '../../src/emulator/index.js';
import { until } from '../helpers/alertmanager.js';
import { alert, webhookBody } from '../helpers/builders.js';
import { freePort, spawnThreader, stopAll, waitForHttp, type StartedProcess } from '../helpers/process.js';
import { TEST_TOKEN } from '../helpers/threader.js';

/**
 * `kill -9` of `threader serve` (the built CLI) while Slack is slow and its outbox is full, with
 * lost responses and webhooks arriving during the kill. After a restart on the same database,
 * everything that was acknowledged with 200 reaches Slack, and nothing reaches it twice.
 */

const CHANNEL = 'C_CRASH';
const GROUPS = 20;
const names = Array.from({ length: GROUPS }, (_, i) => `Crash${String(i).padStart(2, '0')}`);

function group(name: string, instances: string[]) {
  return webhookBody({
    groupKey: `{}:{alertname="${name}"}`,
    groupLabels: { alertname: name },
    commonLabels: { alertname: name, severity: 'critical' },
    alerts: instances.map((instance) => alert({ labels: { alertname: name, instance } })),
  });
}
const firing = (name: string) => group(name, ['n1', 'n2']);
const grown = (name: string) => group(name, ['n1', 'n2', 'n3']);

interface Payload {
  outbox_id: number;
  thread_id: string;
}
/** What we posted, as the post itself said (edits rewrite the parent's current metadata). */
const posted = (m: MessageView) => m.original.metadata?.event_payload as unknown as Payload;

describe('kill -9 with work in the outbox, then a restart on the same database', () => {
  let emu: SlackEmulator;
  let dir: string;
  let configPath: string;
  let port: number;
  let server: StartedProcess | undefined;

  beforeAll(async () => {
    // Slack, slowed down: every call takes 100 ms, and a post that left the process is in flight
    // when it dies. Limits are scaled up ×6 from Slack's so the test is quick; the threader's
    // own limits sit below them.
    emu = await startSlackEmulator({
      token: TEST_TOKEN,
      faults: { latencyMs: 100 },
      rateLimits: {
        'chat.postMessage': { perChannel: true, ratePerSec: 10, burst: 3 },
        'chat.update': { perChannel: false, ratePerSec: 10, burst: 5 },
        'conversations.history': { perChannel: false, ratePerSec: 10, burst: 10 },
        'conversations.replies': { perChannel: false, ratePerSec: 10, burst: 10 },
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'threader-crash-'));
    configPath = join(dir, 'threader.yaml');
    writeFileSync(
      configPath,
      [
        'delivery:',
        '  postsPerSecond: 6',
        '  postBurst: 2',
        '  updatesPerMinute: 300',
        '  updateBurst: 3',
        // Every group must get its own parent here: this test counts parents, not digest rows.
        'storm:',
        '  enabled: false',
        '',
      ].join('\n'),
    );
    port = await freePort();
  });
  afterAll(async () => {
    await stopAll();
    await emu?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const url = () => `http://127.0.0.1:${port}`;
  const start = async () => {
    server = spawnThreader(['serve', '--config', configPath], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        THREADER_DB: join(dir, 'threader.db'),
        SLACK_BOT_TOKEN: TEST_TOKEN,
        SLACK_API_URL: emu.url,
        SLACK_CHANNEL: CHANNEL,
        LOG_LEVEL: 'info',
      },
    });
    await waitForHttp(`${url()}/healthz`, 15_000);
  };
  const post = (body: unknown) =>
    fetch(`${url()}/webhook/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const parents = () => emu.messages(CHANNEL).filter((m) => !m.thread_ts);
  const health = async () =>
    (await (await fetch(`${url()}/health`)).json()) as {
      pendingNotifications: number;
      outbox: { depth: number; failed: number };
    };

  const metric = async (re: RegExp) =>
    Number(re.exec(await (await fetch(`${url()}/metrics`)).text())?.[1] ?? 0);
  /** True while some post (parent or reply) has been handed to Slack and not answered yet. */
  const inflightPost = async () => {
    const { threads } = (await (await fetch(`${url()}/api/threads?limit=100`)).json()) as {
      threads: Array<{ id: string }>;
    };
    for (const th of threads) {
      const { outbox } = (await (await fetch(`${url()}/api/threads/${th.id}`)).json()) as {
        outbox: Array<{ kind: string; status: string }>;
      };
      if (outbox.some((o) => o.status === 'inflight' && o.kind !== 'update_parent')) return true;
    }
    return false;
  };

  it('delivers everything accepted exactly once, lost responses and in-flight posts included', async () => {
    await start();
    // The first two posts reach Slack but their responses are lost.
    emu.faults.failNext('chat.postMessage', { drop: true, count: 2 });

    const first = await Promise.all(names.map((n) => post(firing(n))));
    expect(first.map((r) => r.status)).toEqual(Array(GROUPS).fill(200));
    await until(() => parents().length >= 5, { timeoutMs: 15_000, what: 'first parents' });

    // More notifications keep arriving while the process is killed; only 200s count as accepted.
    const accepted = new Set<string>();
    const wave = (async () => {
      for (const n of names) {
        try {
          if ((await post(grown(n))).status === 200) accepted.add(n);
        } catch {
          // Connection refused or reset by the kill: Alertmanager would retry it.
        }
      }
    })();
    await until(() => accepted.size >= 5, { what: 'some growth accepted' });
    // Kill while a post is on the wire: Slack will carry it out, the process never hears back.
    emu.faults.set({ latencyMs: 300 });
    await until(inflightPost, { timeoutMs: 10_000, intervalMs: 5, what: 'a post in flight' });
    const victim = server as StartedProcess;
    process.kill(victim.pid, 'SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    await wave;
    const deliveredAtKill = parents().length;
    expect(deliveredAtKill).toBeGreaterThan(0);
    expect(deliveredAtKill).toBeLessThan(GROUPS);
    expect(emu.stats().dropped).toBe(2);

    // Restart on the same database; Alertmanager retries whatever was not acknowledged.
    emu.faults.set({ latencyMs: 100 });
    await start();
    await (server as StartedProcess).waitForLine(/in flight at the last stop; reconciling/);
    for (const n of names.filter((x) => !accepted.has(x))) expect((await post(grown(n))).status).toBe(200);

    await until(
      async () => {
        const h = await health();
        return h.pendingNotifications === 0 && h.outbox.depth === 0 && parents().length === GROUPS;
      },
      { timeoutMs: 30_000, what: 'outbox drained after restart' },
    );
    expect((await health()).outbox.failed).toBe(0);
    // The post that was in flight at the kill was found in Slack by its metadata, not re-posted.
    expect(await metric(/threader_slack_reconciled_total (\d+)/)).toBeGreaterThanOrEqual(1);

    const messages = emu.messages(CHANNEL);
    // Nothing posted twice: every message carries the outbox id it was posted for.
    const outboxIds = messages.map((m) => posted(m).outbox_id);
    expect(new Set(outboxIds).size).toBe(outboxIds.length);
    // Exactly one parent per group, and one "new alert" reply in each thread, under its parent.
    expect(
      parents()
        .map((p) => p.original.text.match(/Crash\d\d/)?.[0])
        .sort(),
    ).toEqual(names);
    expect(new Set(parents().map((p) => posted(p).thread_id)).size).toBe(GROUPS);
    for (const { parent, replies } of emu.threads(CHANNEL)) {
      expect(replies.map((r) => r.original.text.split(' — ')[0])).toEqual(['🔥 1 new alert firing']);
      expect(posted(replies[0] as MessageView).thread_id).toBe(posted(parent).thread_id);
      expect(parent.text).toMatch(/3 firing, 0 resolved/);
    }
    expect(messages).toHaveLength(GROUPS * 2);
    expect(messages.some((m) => m.orphan || m.thread_ts_was_reply)).toBe(false);

    // The threader's own record agrees with Slack: the parent ts it kept is the one in Slack.
    const { threads } = (await (await fetch(`${url()}/api/threads?limit=100`)).json()) as {
      threads: Array<{ id: string; parentTs: string }>;
    };
    expect(threads).toHaveLength(GROUPS);
    const slackParent = new Map(parents().map((p) => [posted(p).thread_id, p.ts]));
    for (const th of threads) expect(th.parentTs).toBe(slackParent.get(th.id));
  });
});
