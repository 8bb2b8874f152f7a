import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Silence } from '../../src/alertmanager/types.js';
import type { MessageView } from '../../src/emulator/index.js';
import { amAlert, startAlertmanager, until, type Alertmanager } from '../helpers/alertmanager.js';
import { stopAll } from '../helpers/process.js';
import { startThreader, type TestThreader } from '../helpers/threader.js';

/**
 * A real Alertmanager 0.25 sends the alert; an on-call engineer acknowledges, silences for an hour
 * and unsilences from the Slack thread (the emulator clicks, signed). Alertmanager must really hold
 * the silence, created by that person, linking to the thread — and really expire it.
 */

const CHANNEL = 'C_ALERTS';
const SECRET = 'am-test-signing-secret-01';
const ANA = { id: 'U0ANA', name: 'ana' };

describe('Slack buttons against a real Alertmanager', () => {
  let t: TestThreader;
  let am: Alertmanager;

  beforeAll(async () => {
    t = await startThreader({ env: { SLACK_SIGNING_SECRET: SECRET } });
    t.emu.interactivity.configure({ requestUrl: `${t.url}/slack/actions`, signingSecret: SECRET });
    am = await startAlertmanager({ webhookUrl: `${t.url}/webhook/alertmanager`, groupBy: ['alertname'] });
  });
  afterAll(async () => {
    await am?.stop();
    await t?.close();
    await stopAll();
  });

  const parentNow = (ts: string) => t.emu.messages(CHANNEL).find((m) => m.ts === ts) as MessageView;
  const blocksOf = (ts: string) => JSON.stringify(parentNow(ts).blocks);
  const click = async (ts: string, action_id: string, value?: string) => {
    const res = await fetch(`${t.emu.baseUrl}_emulator/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ channel: CHANNEL, ts, action_id, value, user: ANA }),
    });
    const out = (await res.json()) as { status: number };
    expect(out.status).toBe(200);
  };
  const silences = async () => (await (await fetch(`${am.url}/api/v2/silences`)).json()) as Silence[];

  it('acknowledges, silences for 1 h with creator and thread link, and unsilences', async () => {
    await am.push([
      amAlert(
        { alertname: 'QueueBacklog', severity: 'page', service: 'billing', instance: 'q-1' },
        { annotations: { summary: 'backlog growing', runbook_url: 'https://runbooks.test/queue' } },
      ),
    ]);
    const parent = await until(() => t.emu.messages(CHANNEL).find((m) => !m.thread_ts), {
      timeoutMs: 15_000,
      what: 'parent posted',
    });
    const [thread] = await t.app.store.listThreads({});
    expect(blocksOf(parent.ts)).toContain('https://runbooks.test/queue');

    // Ack: the parent says who, the Ack button goes away.
    await click(parent.ts, 'threader_ack');
    await until(() => blocksOf(parent.ts).includes('Acknowledged by <@U0ANA>'), { what: 'ack shown' });

    // Silence for 1 hour: a real silence in Alertmanager.
    const before = Date.now();
    await click(parent.ts, 'threader_silence', `1h:${thread!.id}`);
    const silence = await until(async () => (await silences()).find((s) => s.status.state === 'active'), {
      timeoutMs: 10_000,
      what: 'silence in Alertmanager',
    });
    expect(silence.createdBy).toBe('ana (Slack U0ANA)');
    const permalink = await t.app.store
      .getThread(thread!.id)
      .then((th) => `${t.emu.baseUrl}archives/${th!.channel}/p${th!.parentTs!.replace('.', '')}`);
    expect(silence.comment).toContain(permalink);
    expect(silence.matchers).toEqual(
      expect.arrayContaining([
        { name: 'alertname', value: 'QueueBacklog', isRegex: false, isEqual: true },
        { name: 'service', value: 'billing', isRegex: false, isEqual: true },
      ]),
    );
    const hour = Date.parse(silence.endsAt) - Date.parse(silence.startsAt);
    expect(Math.abs(hour - 3_600_000)).toBeLessThan(2_000);
    expect(Date.parse(silence.startsAt)).toBeGreaterThanOrEqual(before - 1_000);
    // Alertmanager now silences the alert itself.
    await until(async () => (await am.alerts()).every((a) => a.status.state === 'suppressed'), {
      what: 'alert suppressed by the silence',
    });
    await until(() => blocksOf(parent.ts).includes(`silence \`${silence.id}\``), { what: 'silence shown' });
    expect(blocksOf(parent.ts)).toContain('threader_unsilence');

    // Unsilence: Alertmanager expires it; the parent says who did.
    await click(parent.ts, 'threader_unsilence');
    await until(async () => (await silences()).find((s) => s.id === silence.id)?.status.state === 'expired', {
      timeoutMs: 10_000,
      what: 'silence expired',
    });
    await until(() => blocksOf(parent.ts).includes('expired by <@U0ANA>'), { what: 'unsilence shown' });
    expect(blocksOf(parent.ts)).toContain('threader_silence');
    const answers = t.emu.interactivity.responses.map((r) => (r.body as { text: string }).text);
    expect(answers).toEqual([
      'Acknowledged.',
      expect.stringMatching(/^Silenced until .* \(silence /),
      `Silence ${silence.id} expired.`,
    ]);
  });
});
