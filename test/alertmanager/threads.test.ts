import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView } from '../../src/emulator/index.js';
import { amAlert, startAlertmanager, until, type Alertmanager } from '../helpers/alertmanager.js';
import { stopAll } from '../helpers/process.js';
import { startThreader, type TestThreader } from '../helpers/threader.js';

/**
 * A real Alertmanager 0.25 (no notification_reason in its webhooks) drives one incident through
 * its whole life, and the Slack channel must tell exactly that story: one thread per episode.
 */

const CHANNEL = 'C_ALERTS';
const HOOK_TOKEN = 'am-hook-token-51c0';

/** Slack's current text of a message, and its text as first posted. */
const now = (m: MessageView) => m.text;
const first = (m: MessageView) => m.original.text;
const attachmentText = (m: MessageView) => JSON.stringify(m.attachments ?? []);

describe('real Alertmanager → threader → Slack: one thread per episode, telling what changed', () => {
  let t: TestThreader;
  let am: Alertmanager;

  beforeAll(async () => {
    t = await startThreader({ env: { THREADER_WEBHOOK_TOKEN: HOOK_TOKEN } });
    // group_wait 3s: the two alerts of step 1 must reach the dispatcher before the group flushes,
    // which 1s did not always give a loaded 2-core CI machine.
    am = await startAlertmanager({
      webhookUrl: `${t.url}/webhook/alertmanager`,
      token: HOOK_TOKEN,
      groupWait: '3s',
    });
  });
  afterAll(async () => {
    await am?.stop();
    await t?.close();
    await stopAll();
  });

  const top = () => t.emu.messages(CHANNEL).filter((m) => !m.thread_ts);
  const repliesOf = (parent: MessageView) =>
    t.emu.messages(CHANNEL).filter((m) => m.thread_ts === parent.ts && m.ts !== parent.ts);
  const latest = (ts: string) => t.emu.messages(CHANNEL).find((m) => m.ts === ts) as MessageView;

  it('fires, grows, partly resolves, resolves and fires again as the exact Slack messages expected', async () => {
    const disk = (instance: string) =>
      amAlert(
        { alertname: 'DiskFull', severity: 'warning', instance },
        {
          annotations: {
            summary: `disk almost full on ${instance}`,
            runbook_url: 'https://runbooks.test/disk',
          },
        },
      );
    const [a1, a2, a3] = [disk('db-1'), disk('db-2'), disk('db-3')];

    // 1. Two alerts fire together: after group_wait, one parent with both.
    await am.push([a1, a2]);
    const parent = await until(() => top().length === 1 && top()[0], { timeoutMs: 10_000, what: 'parent' });
    expect(first(parent)).toMatch(/FIRING \[warning\] DiskFull — 2 firing, 0 resolved/);
    expect(attachmentText(parent)).toContain('db-1');
    expect(attachmentText(parent)).toContain('db-2');

    // 2. A third alert joins the group: a reply names it, the parent now counts 3.
    await am.push([a3]);
    await until(() => repliesOf(parent).length === 1, { timeoutMs: 10_000, what: 'new-alert reply' });
    expect(first(repliesOf(parent)[0] as MessageView)).toMatch(/^🔥 1 new alert firing — DiskFull/);
    expect(JSON.stringify(repliesOf(parent)[0]?.blocks)).toContain('db-3');
    await until(() => /3 firing, 0 resolved/.test(now(latest(parent.ts))), { what: 'parent counts 3' });

    // 3. One of three resolves: a reply says so and how many still fire.
    await am.resolve([a3]);
    await until(() => repliesOf(parent).length === 2, { timeoutMs: 10_000, what: 'resolved reply' });
    expect(first(repliesOf(parent)[1] as MessageView)).toMatch(
      /^✅ 1 resolved \(2 still firing\) — DiskFull/,
    );
    await until(() => /2 firing, 1 resolved/.test(now(latest(parent.ts))), { what: 'parent counts 2+1' });

    // 4. The rest resolve: "all resolved" reply, the parent turns RESOLVED.
    await am.resolve([a1, a2]);
    await until(() => repliesOf(parent).length === 3, { timeoutMs: 10_000, what: 'all-resolved reply' });
    expect(first(repliesOf(parent)[2] as MessageView)).toMatch(/^✅ All resolved after .+ — DiskFull/);
    await until(() => /RESOLVED/.test(now(latest(parent.ts))), { what: 'parent edited to resolved' });
    const closed = latest(parent.ts);
    expect(closed.text).toMatch(/RESOLVED \[warning\] DiskFull — 0 firing, 3 resolved/);
    expect(JSON.stringify(closed.blocks)).toContain('RESOLVED: DiskFull');
    expect(closed.edits.length).toBeGreaterThanOrEqual(3);

    // 5. The group fires again: a NEW thread whose parent links back to the first one.
    const again = [amAlert(a1.labels, { annotations: a1.annotations, startsAt: new Date().toISOString() })];
    await am.push(again);
    await until(() => top().length === 2, { timeoutMs: 10_000, what: 'second parent' });
    await t.app.settle();

    const second = top()[1] as MessageView;
    expect(first(second)).toMatch(/FIRING \[warning\] DiskFull — 1 firing, 0 resolved/);
    const permalink = `${t.emu.baseUrl}archives/${CHANNEL}/p${parent.ts.replace('.', '')}`;
    expect(attachmentText(second)).toContain('previous thread');
    expect(attachmentText(second)).toContain(permalink);
    const linked = (await (await fetch(permalink)).json()) as { message: { ts: string } };
    expect(linked.message.ts).toBe(parent.ts);

    // Exactly this story, nothing else: 2 parents, 3 replies in the first thread, none in the second.
    const story = t.emu
      .messages(CHANNEL)
      .map((m) => `${m.thread_ts ? '  ↳' : '●'} ${first(m).split(' — ')[0]}`);
    expect(story).toEqual([
      '● ⚠️ FIRING [warning] DiskFull',
      '  ↳ 🔥 1 new alert firing',
      '  ↳ ✅ 1 resolved (2 still firing)',
      expect.stringMatching(/^ {2}↳ ✅ All resolved after /),
      '● ⚠️ FIRING [warning] DiskFull',
    ]);
    const threads = t.emu.threads(CHANNEL);
    expect(threads.map((th) => th.replies.length)).toEqual([3, 0]);
    expect(t.emu.messages(CHANNEL).every((m) => m.by_bot && !m.orphan && !m.thread_ts_was_reply)).toBe(true);
    // Only the parents are ever edited.
    expect(
      t.emu.calls({ method: 'chat.update' }).every((c) => c.ts === parent.ts || c.ts === second.ts),
    ).toBe(true);

    // The API tells the same: the first episode resolved, the second firing and pointing back.
    const { threads: api } = await t.json<{
      threads: Array<{ id: string; status: string; previousId: string | null; parentTs: string }>;
    }>('/api/threads');
    const byTs = new Map(api.map((a) => [a.parentTs, a]));
    expect(byTs.get(parent.ts)?.status).toBe('resolved');
    expect(byTs.get(second.ts)?.status).toBe('firing');
    expect(byTs.get(second.ts)?.previousId).toBe(byTs.get(parent.ts)?.id);
  });

  it('Alertmanager with the wrong bearer credentials is refused with 401 and posts nothing', async () => {
    const wrong = await startAlertmanager({
      webhookUrl: `${t.url}/webhook/alertmanager`,
      token: 'not-the-token',
    });
    try {
      const before = t.emu.messages(CHANNEL).length;
      await wrong.push([amAlert({ alertname: 'WrongTokenProbe', severity: 'info', instance: 'x' })]);
      await until(
        async () => /threader_webhooks_received_total\{outcome="unauthorized"\} [1-9]/.test(await metrics()),
        { timeoutMs: 10_000, what: 'a refused webhook' },
      );
      expect(await metrics()).toMatch(
        /threader_http_requests_total\{route="\/webhook\/alertmanager",method="POST",code="401"\} [1-9]/,
      );
      await t.app.settle();
      expect(t.emu.messages(CHANNEL)).toHaveLength(before);
      expect(JSON.stringify(t.logs)).not.toContain('not-the-token');
    } finally {
      await wrong.stop();
    }
  });

  const metrics = async () => (await fetch(`${t.url}/metrics`)).text();
});
