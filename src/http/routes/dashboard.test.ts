import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { episode } from '../../../test/helpers/builders.js';
import { episodeId } from '../../core/thread-key.js';
import { LiveEvents } from '../../dashboard/live-events.js';
import { DASHBOARD_CSP } from '../../dashboard/security.js';
import type { MessageRecord, ThreadRecord, ThreadStore } from '../../store/types.js';
import { errorHandler } from '../errors.js';
import { registerApiRoutes } from './api.js';
import { registerDashboardRoutes } from './dashboard.js';

const NOW = Date.parse('2026-11-26T12:10:00Z');
const KEY = 'slack-threads/{}:{alertname="HighErrorRate"}';

function thread(seq: number, over: Partial<ThreadRecord> = {}): ThreadRecord {
  const id = episodeId(KEY, seq);
  const state = episode({
    id,
    seq,
    threadKey: KEY,
    groupLabels: { alertname: 'HighErrorRate', service: '<img src=x onerror=alert(1)>' },
  });
  return {
    id,
    kind: 'alert',
    threadKey: KEY,
    seq,
    channel: 'C_ALERTS',
    parentTs: '1764158400.000100',
    status: 'firing',
    state,
    openedAt: NOW - 300_000,
    resolvedAt: null,
    previousId: seq > 1 ? episodeId(KEY, seq - 1) : null,
    updatedAt: NOW,
    ...over,
  };
}

const threads = [thread(2), thread(1, { status: 'resolved', resolvedAt: NOW - 400_000 })];
const messages: MessageRecord[] = [
  {
    threadId: threads[0]!.id,
    outboxId: 1,
    channel: 'C_ALERTS',
    ts: '1764158400.000100',
    kind: 'parent',
    text: 'parent *text*',
    blocks: null,
    at: NOW - 290_000,
  },
  {
    threadId: threads[0]!.id,
    outboxId: 2,
    channel: 'C_ALERTS',
    ts: '1764158460.000200',
    kind: 'reply',
    text: '1 resolved',
    blocks: null,
    at: NOW - 200_000,
  },
];

const store = {
  listThreads: async (f: { status?: string; channel?: string; limit?: number }) =>
    threads
      .filter((t) => (!f.status || t.status === f.status) && (!f.channel || t.channel === f.channel))
      .slice(0, f.limit),
  getThread: async (id: string) => threads.find((t) => t.id === id) ?? null,
  messages: async (id: string) => messages.filter((m) => m.threadId === id),
  outbox: async () => [],
} as unknown as ThreadStore;

let app: FastifyInstance | undefined;
afterEach(async () => app?.close());

async function serve(token?: string) {
  app = Fastify();
  app.setErrorHandler(errorHandler());
  registerDashboardRoutes(app, {
    store,
    now: () => NOW,
    version: '9.9.9',
    token,
    guard: { defaultLockFile: () => '/nonexistent/qos.guard' },
    guardChecks: [],
    workspaceUrl: async () => 'https://acme.slack.com/',
    events: new LiveEvents(),
  });
  registerApiRoutes(app, { store, now: () => NOW });
  await app.ready();
  return app;
}

describe('dashboard routes', () => {
  it('lists threads newest first with escaped titles, Slack links and the security headers', async () => {
    const res = await (await serve()).inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain('service=&lt;img src=x onerror=alert(1)&gt;');
    expect(res.body).toContain('href="https://acme.slack.com/archives/C_ALERTS/p1764158400000100"');
    expect(res.body.indexOf(threads[0]!.id)).toBeLessThan(res.body.indexOf(threads[1]!.id));
    expect(res.body).not.toMatch(/<script>|style="/);
  });

  it('filters by state from the query string and says which bad values it ignored', async () => {
    const res = await (await serve()).inject('/?state=resolved&limit=zero');
    expect(res.body).toContain(threads[1]!.id);
    expect(res.body).not.toContain(`data-thread="${threads[0]!.id}"`);
    expect(res.body).toContain('Ignored a bad value for: limit');
  });

  it('shows a thread with its timeline and links to the previous episode', async () => {
    const res = await (await serve()).inject(`/threads/${threads[0]!.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('class="msg msg-parent"');
    expect(res.body).toContain('class="msg msg-reply"');
    expect(res.body).toContain('parent <strong>text</strong>');
    expect(res.body).toContain(`rel="prev" href="/threads/${threads[1]!.id}"`);
    expect(res.body).toContain('?thread_ts=1764158400.000100&amp;cid=C_ALERTS');
  });

  it('links an older episode to the next one', async () => {
    const res = await (await serve()).inject(`/threads/${threads[1]!.id}`);
    expect(res.body).toContain(`rel="next" href="/threads/${threads[0]!.id}"`);
  });

  it('answers an unknown thread with a 404 page', async () => {
    const res = await (await serve()).inject('/threads/ep_nope');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('<title>No such thread · Alert Threader</title>');
  });

  it('says plainly when no guard is configured', async () => {
    const res = await (await serve()).inject('/guard');
    expect(res.body).toContain('No guard is configured.');
  });

  it('serves its assets with an ETag, and 304 when unchanged', async () => {
    const a = await serve();
    const js = await a.inject('/assets/dashboard.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const again = await a.inject({
      url: '/assets/dashboard.js',
      headers: { 'if-none-match': js.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
    expect((await a.inject('/assets/../app.js')).statusCode).toBe(404);
  });

  it('with a token, guards the pages and the JSON API registered beside them', async () => {
    const a = await serve('tok-123');
    for (const url of [
      '/',
      '/guard',
      `/threads/${threads[0]!.id}`,
      '/assets/dashboard.css',
      '/api/threads',
    ]) {
      const res = await a.inject(url);
      expect(res.statusCode, url).toBe(401);
      expect(res.headers['www-authenticate'], url).toBe('Basic realm="Alert Threader", charset="UTF-8"');
      expect(res.body).not.toContain('tok-123');
    }
    const basic = `Basic ${Buffer.from('me:tok-123').toString('base64')}`;
    expect((await a.inject({ url: '/', headers: { authorization: basic } })).statusCode).toBe(200);
    expect(
      (await a.inject({ url: '/api/threads', headers: { authorization: 'Bearer tok-123' } })).statusCode,
    ).toBe(200);
  });
});
