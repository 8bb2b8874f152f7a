import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookBody } from '../helpers/builders.js';
import { startThreader, type TestThreader } from '../helpers/threader.js';

// Alertmanager retries 5xx (and not 4xx): when the store cannot take a notification, the webhook
// must say 503 so the notification is sent again, and the process must stay up.
describe('webhook while the store is unavailable', () => {
  let t: TestThreader;
  beforeAll(async () => {
    t = await startThreader();
  });
  afterAll(async () => t.close().catch(() => undefined));

  it('answers 503 store_unavailable, stays alive, and says so in /health and /readyz', async () => {
    expect((await t.post(webhookBody())).status).toBe(200);
    await t.app.settle();
    await t.app.store.close();

    const res = await t.post(webhookBody({ groupKey: 'while-down' }));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'store_unavailable' });

    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(503);
    expect(await t.json('/health')).toMatchObject({
      status: 'unhealthy',
      degraded: true,
      store: { ok: false },
    });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/threader_webhooks_received_total\{outcome="store_unavailable"\} 1/);
    expect(metrics).toMatch(/threader_health_checks_total\{target="self",result="failure"\} 1/);
    expect(metrics).toMatch(
      /threader_http_requests_total\{route="\/webhook\/alertmanager",method="POST",code="503"\} 1/,
    );
  });
});
