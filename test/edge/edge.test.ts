import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookBody } from '../helpers/builders.js';
import { freePort, runProcess, stopAll, waitFor } from '../helpers/process.js';
import { startThreader, type TestThreader } from '../helpers/threader.js';
import { suiteTitle } from '../helpers/require-tool.js';
import { edgeToolsMissing, prepareEdge, startEdge, type Edge } from './edge-nginx.js';
import { headerCount, httpsRequest, openEventStream } from './https-client.js';
import { startUpstreamStub, type UpstreamStub } from './upstream-stub.js';

const TOKEN = 'edge-test-webhook-token';
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const missing = edgeToolsMissing();

// Before anything starts: a template nginx refuses fails here with nginx's own words.
describe.skipIf(missing !== undefined)(suiteTitle('the nginx edge template rendered', missing), () => {
  it('has every ${EDGE_*} replaced and passes nginx -t', async () => {
    const edge = await prepareEdge({ replicas: ['127.0.0.1:9'], hsts: 'on' });
    try {
      expect(edge.rendered).not.toMatch(/\$\{EDGE_/);
      const [cmd, ...args] = edge.testCommand;
      const r = await runProcess(cmd!, args);
      expect(r.stdout + r.stderr).toContain('test is successful');
      expect(r.code).toBe(0);
    } finally {
      rmSync(edge.prefix, { recursive: true, force: true });
    }
  });
});

// Production: HSTS on, a dead replica listed before a live `threader serve`.
// Staging: HSTS off, in front of a stub replica whose timing and request headers the test sees.
describe.skipIf(missing !== undefined)(
  suiteTitle('the nginx edge template (examples/nginx) on a real nginx', missing),
  () => {
    let threader: TestThreader;
    let production: Edge;
    let stub: UpstreamStub;
    let staging: Edge;

    beforeAll(async () => {
      threader = await startThreader({ env: { THREADER_WEBHOOK_TOKEN: TOKEN } });
      const dead = `127.0.0.1:${await freePort()}`;
      production = await startEdge({ replicas: [dead, new URL(threader.url).host], hsts: 'on' });
      stub = await startUpstreamStub();
      staging = await startEdge({ replicas: [stub.address], hsts: 'off' });
    });

    afterAll(async () => {
      await production?.stop();
      await staging?.stop();
      await stub?.close();
      await threader?.close();
      await stopAll();
    });

    const get = (edge: Edge, path: string, headers?: Record<string, string>) =>
      httpsRequest(`${edge.origin}${path}`, { ca: edge.certificate.pem, headers });
    const postWebhook = (body: string, headers: Record<string, string> = {}) =>
      httpsRequest(`${production.origin}/webhook/alertmanager`, {
        ca: production.certificate.pem,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
        body,
      });

    it('redirects plain HTTP to the configured HTTPS origin with 301, path and query kept', async () => {
      for (const method of ['GET', 'POST']) {
        const res = await fetch(`http://127.0.0.1:${production.httpPort}/api/threads?status=firing`, {
          method,
          redirect: 'manual',
          headers: { host: 'evil.example' },
        });
        expect(res.status).toBe(301);
        expect(res.headers.get('location')).toBe(`${production.origin}/api/threads?status=firing`);
      }
    });

    it('sends every security header exactly once, on success, on errors and on its own answers', async () => {
      for (const path of ['/api/threads', '/no-such-page', '/metrics']) {
        const res = await get(production, path);
        expect(res.status, path).toBe(path === '/api/threads' ? 200 : 404);
        expect(res.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
        expect(res.headers['content-security-policy']).toBe(CSP);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['permissions-policy']).toContain('camera=()');
        for (const h of [
          'content-security-policy',
          'x-frame-options',
          'x-content-type-options',
          'referrer-policy',
        ])
          expect(headerCount(res, h), `${path} ${h}`).toBe(1);
        expect(res.headers.server).toBe('nginx');
      }
    });

    it('keeps /metrics for Prometheus on the replicas, not on the edge', async () => {
      const res = await get(production, '/metrics');
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('threader_');
    });

    it('passes a webhook through to the threader, bearer token included, and the thread appears', async () => {
      const unauthorized = await postWebhook(JSON.stringify(webhookBody()), {
        authorization: 'Bearer wrong',
      });
      expect(unauthorized.status).toBe(401);
      const body = webhookBody({ groupKey: '{}:{alertname="EdgeWebhook"}' });
      const res = await postWebhook(JSON.stringify(body));
      expect(res.status, res.body).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ status: 'accepted' });
      const threads = await waitFor(async () => {
        const list = JSON.parse((await get(production, '/api/threads')).body) as {
          threads: Array<{ threadKey: string }>;
        };
        return list.threads.some((t) => t.threadKey.includes('EdgeWebhook')) ? list.threads : undefined;
      });
      expect(threads.length).toBeGreaterThan(0);
    });

    it('accepts a webhook just under the threader’s 1 MiB limit and refuses a larger one with 413 itself', async () => {
      const withAnnotation = (bytes: number) => {
        const body = webhookBody() as { commonAnnotations: Record<string, string> };
        body.commonAnnotations = { ...body.commonAnnotations, description: 'x'.repeat(bytes) };
        return JSON.stringify(body);
      };
      const near = withAnnotation(1_000_000);
      expect(Buffer.byteLength(near)).toBeLessThan(1024 * 1024);
      expect((await postWebhook(near)).status).toBe(200);

      const tooLarge = await postWebhook(withAnnotation(1_200_000));
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body).toContain('413 Request Entity Too Large');
      // The threader never saw it: nginx answered without an upstream.
      const metrics = await threader.app.metrics.registry.getSingleMetricAsString(
        'threader_webhooks_received_total',
      );
      expect(metrics).not.toContain('outcome="too_large"');
      // nginx writes the line once it has discarded the rest of the body (lingering close).
      const logged = await waitFor(() => production.accessLog().find((l) => l.status === 413));
      expect(logged).toMatchObject({ uri: '/webhook/alertmanager', upstream_addr: '' });
    });

    it('refuses large bodies outside the webhook path at 64k', async () => {
      const res = await httpsRequest(`${production.origin}/slack/actions`, {
        ca: production.certificate.pem,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'payload='.padEnd(100_000, 'x'),
      });
      expect(res.status).toBe(413);
    });

    it('skips a dead replica without failing a request (passive health)', async () => {
      for (let i = 0; i < 6; i++) expect((await get(production, '/healthz')).status).toBe(200);
      expect(production.errorLog()).toMatch(/connect\(\) failed \(111: Connection refused\)/);
    });

    it('logs JSON lines without query strings or secrets', async () => {
      await get(production, '/api/threads?token=sekrit-query-value');
      const lines = production.accessLog();
      const last = lines.at(-1);
      expect(last).toMatchObject({ method: 'GET', uri: '/api/threads', status: 200 });
      expect(typeof last?.request_id).toBe('string');
      const all = JSON.stringify(lines);
      expect(all).not.toContain('sekrit-query-value');
      expect(all).not.toContain(TOKEN);
    });

    it('sends no HSTS when rendered for staging', async () => {
      const res = await get(staging, '/');
      expect(res.status).toBe(200);
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['content-security-policy']).toBe(CSP);
      expect(headerCount(res, 'x-frame-options')).toBe(1);
      expect(res.headers['x-frame-options']).toBe('DENY');
    });

    it('tells the replica who asked and how, and reuses its connections', async () => {
      const before = stub.requests.length;
      for (let i = 0; i < 5; i++) await get(staging, `/seen/${i}`, { 'x-forwarded-for': '203.0.113.9' });
      const seen = stub.requests.slice(before);
      expect(seen).toHaveLength(5);
      const h = seen[0]?.headers ?? {};
      expect(h['x-forwarded-proto']).toBe('https');
      expect(h['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
      expect(h['x-real-ip']).toBe('127.0.0.1');
      expect(h['x-forwarded-host']).toBe('127.0.0.1');
      expect(h['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
      expect(h.connection).not.toBe('close');
      // Five requests over fresh client connections, one kept-alive upstream connection.
      expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
    });

    it('streams server-sent events unbuffered: each event arrives while the stream is still open', async () => {
      const stream = await openEventStream(`${staging.origin}/events`, { ca: staging.certificate.pem });
      try {
        expect(stream.status).toBe(200);
        expect(stream.headers['content-type']).toBe('text/event-stream');
        await stub.streamOpened();
        await stream.waitFor('data: first\n\n');
        expect(stream.ended()).toBe(false);
        stub.send('event: update\ndata: second\n\n');
        await stream.waitFor('data: second\n\n');
        expect(stream.ended()).toBe(false);
      } finally {
        stream.close();
        stub.endStreams();
      }
    });

    it("passes the threader's own event stream through: a webhook sent via the edge is told at once", async () => {
      const stream = await openEventStream(`${production.origin}/events`, { ca: production.certificate.pem });
      try {
        expect(stream.status).toBe(200);
        expect(headerCount(stream, 'content-security-policy')).toBe(1);
        await stream.waitFor(': connected\n\n');
        const body = webhookBody({ groupKey: '{}:{alertname="EdgeEvents"}' });
        expect((await postWebhook(JSON.stringify(body))).status).toBe(200);
        await stream.waitFor('event: thread\n');
        expect(stream.ended()).toBe(false);
      } finally {
        stream.close();
      }
    });
  },
);
