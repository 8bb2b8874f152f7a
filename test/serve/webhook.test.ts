import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alert, webhookBody } from '../helpers/builders.js';
import { startThreader, TEST_TOKEN, type TestThreader } from '../helpers/threader.js';

const HOOK_TOKEN = 'hook-secret-7f3a9c';

describe('POST /webhook/alertmanager: bad input is refused with a named field and stores nothing', () => {
  let t: TestThreader;
  beforeAll(async () => {
    t = await startThreader({ env: { THREADER_WEBHOOK_TOKEN: HOOK_TOKEN } });
  });
  afterAll(async () => t.close());

  const auth = { authorization: `Bearer ${HOOK_TOKEN}` };
  const { alerts: _drop, ...noAlerts } = webhookBody();

  it.each([
    ['invalid JSON', { raw: '{"version": "4",', headers: auth }, 400, 'invalid_json', /not valid JSON/],
    ['an empty body', { raw: '', headers: auth }, 400, 'invalid_json', /empty/],
    [
      'a wrong content type',
      { raw: 'version=4', headers: { ...auth, 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
      /application\/json/,
    ],
    ['a missing alerts field', { body: noAlerts, headers: auth }, 400, 'invalid_input', /alerts/],
    [
      'a mistyped alert status',
      { body: webhookBody({ alerts: [{ ...alert(), status: 'burning' as never }] }), headers: auth },
      400,
      'invalid_input',
      /alerts\[0\]\.status/,
    ],
    [
      'a label that is not a string',
      { body: webhookBody({ alerts: [alert({ labels: { alertname: 5 as never } })] }), headers: auth },
      400,
      'invalid_input',
      /alerts\[0\]\.labels/,
    ],
    [
      'a body over the 1 MiB limit',
      { raw: JSON.stringify({ ...webhookBody(), pad: 'x'.repeat(1_100_000) }), headers: auth },
      413,
      'payload_too_large',
      /larger than the limit/,
    ],
    ['no token', { body: webhookBody(), headers: {} }, 401, 'unauthorized', /bearer token/],
    [
      'a wrong token',
      { body: webhookBody(), headers: { authorization: 'Bearer nope' } },
      401,
      'unauthorized',
      /bearer token/,
    ],
    [
      'a token of the wrong scheme',
      { body: webhookBody(), headers: { authorization: `Basic ${HOOK_TOKEN}` } },
      401,
      'unauthorized',
      /bearer token/,
    ],
  ])('%s is refused', async (_name, req, status, code, message) => {
    const before = await t.app.store.stats(0);
    const res = await t.post((req as { body?: unknown }).body, {
      raw: (req as { raw?: string }).raw,
      headers: req.headers,
    });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe(code);
    expect(body.message).toMatch(message);
    expect(await t.app.store.stats(0)).toEqual(before);
    expect((await t.json<{ status: string }>('/healthz')).status).toBe('ok');
  });

  it('names every wrong field of a body at once', async () => {
    const res = await t.post(
      { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: {} }] },
      { headers: auth },
    );
    const body = (await res.json()) as { problems: Array<{ field: string }> };
    expect(res.status).toBe(400);
    expect(body.problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(['groupKey', 'receiver', 'alerts[0].startsAt']),
    );
  });

  it('accepts a valid body with the token, also on the original /alert path', async () => {
    const a = await t.post(webhookBody(), { headers: auth });
    expect(a.status).toBe(200);
    expect(await a.json()).toEqual({ status: 'accepted', parts: 1 });
    const b = await t.post(webhookBody({ groupKey: 'other' }), { path: '/alert', headers: auth });
    expect(b.status).toBe(200);
    await t.app.settle();
    expect(t.emu.messages('C_ALERTS').filter((m) => !m.thread_ts)).toHaveLength(2);
  });

  it('never writes the webhook token or the Slack token to logs, /health or errors', async () => {
    await t.post(webhookBody(), { headers: { authorization: 'Bearer wrong-guess' } });
    const health = await (await fetch(`${t.url}/health`)).text();
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    const everything = JSON.stringify(t.logs) + health + metrics;
    expect(everything).not.toContain(HOOK_TOKEN);
    expect(everything).not.toContain(TEST_TOKEN);
    expect(everything).not.toContain('wrong-guess');
  });
});

describe('duplicates and endpoints', () => {
  let t: TestThreader;
  beforeAll(async () => {
    t = await startThreader();
  });
  afterAll(async () => t.close());

  it('the same notification 10 times concurrently makes exactly one parent and no replies', async () => {
    const body = webhookBody({
      groupKey: 'dup-group',
      alerts: [alert(), alert({ labels: { instance: 'api-2' } })],
    });
    const results = await Promise.all(Array.from({ length: 10 }, () => t.post(body)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    await t.app.settle();
    const msgs = t.emu.messages('C_ALERTS');
    const threads = t.emu.threads('C_ALERTS');
    expect(threads).toHaveLength(1);
    expect(threads[0]?.replies).toHaveLength(0);
    expect(msgs.filter((m) => !m.thread_ts)).toHaveLength(1);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/threader_duplicates_dropped_total 9/);
    expect(metrics).toMatch(/threader_notifications_total\{result="first notification"\} 1/);
  });

  it('serves liveness, readiness, a health summary and Prometheus metrics', async () => {
    expect(await t.json('/healthz')).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    const health = await t.json<Record<string, unknown>>('/health');
    expect(health).toMatchObject({
      status: 'healthy',
      degraded: false,
      store: { kind: 'sqlite', ok: true },
      slack: { mode: 'slack', ok: true },
    });
    expect(health.openThreads).toBe(1);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    for (const name of [
      'threader_http_requests_total',
      'threader_slack_calls_total',
      'threader_outbox_depth',
      'threader_outbox_oldest_age_seconds',
      'threader_open_threads',
      'threader_episodes_total',
      'threader_log_messages_total',
      'threader_health_checks_total',
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).toMatch(
      /threader_http_requests_total\{route="\/webhook\/alertmanager",method="POST",code="200"\} 10/,
    );
    // /healthz and /readyz answered above, each counted as a successful health check of itself.
    expect(metrics).toMatch(/threader_health_checks_total\{target="self",result="success"\} 2/);
  });

  it('lists threads and shows one with the Slack messages posted for it', async () => {
    const { threads } = await t.json<{ threads: Array<{ id: string; status: string; firing: number }> }>(
      '/api/threads?status=firing',
    );
    expect(threads).toHaveLength(1);
    expect(threads[0]?.firing).toBe(2);
    const detail = await t.json<{ messages: Array<{ kind: string; ts: string }> }>(
      `/api/threads/${threads[0]?.id}`,
    );
    expect(detail.messages.map((m) => m.kind)).toEqual(['parent']);
    expect(t.emu.messages('C_ALERTS').map((m) => m.ts)).toContain(detail.messages[0]?.ts);
    expect((await fetch(`${t.url}/api/threads/ep_nope`)).status).toBe(404);
    expect((await fetch(`${t.url}/api/threads?limit=0`)).status).toBe(400);
  });

  it('readiness fails when Slack rejects the token', async () => {
    const bad = await startThreader({ emulator: { token: 'xoxb-other' } });
    try {
      const res = await fetch(`${bad.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ slack: { ok: false, error: 'invalid_auth' } });
    } finally {
      await bad.close();
    }
  });
});
