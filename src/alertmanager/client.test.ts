import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertmanagerClient } from './client.js';

interface Seen {
  method?: string;
  url?: string;
  auth?: string;
  body: string;
}

let server: Server | undefined;
afterEach(
  () =>
    new Promise<void>((r) => {
      if (!server) return r();
      server.close(() => r());
      // A request the fake never answers would otherwise hold close() open.
      server.closeAllConnections();
    }),
);

/**
 * A stand-in Alertmanager on loopback answering every request with `status` and `body`; with
 * `body` 'never' it takes requests and never answers.
 */
async function fakeAm(status: number, body: unknown): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer(async (req: IncomingMessage, res) => {
    let text = '';
    for await (const c of req) text += c;
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body: text });
    if (body !== 'never')
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

const silence = {
  matchers: [{ name: 'alertname', value: 'Down', isRegex: false, isEqual: true }],
  startsAt: '2026-11-26T10:00:00.000Z',
  endsAt: '2026-11-26T11:00:00.000Z',
  createdBy: 'ana',
  comment: 'from the thread',
};

describe('Alertmanager API v2 client', () => {
  it('creates a silence with a POST of the silence and returns its id', async () => {
    const am = await fakeAm(200, { silenceID: 'abc-123' });
    const client = createAlertmanagerClient({ baseUrl: `${am.url}/`, timeoutMs: 2_000 });
    expect(await client.createSilence(silence)).toBe('abc-123');
    expect(am.seen[0]).toMatchObject({ method: 'POST', url: '/api/v2/silences' });
    expect(JSON.parse(am.seen[0]!.body)).toEqual(silence);
  });

  it('expires a silence with DELETE /api/v2/silence/{id}, keeping a path prefix', async () => {
    const am = await fakeAm(200, {});
    await createAlertmanagerClient({ baseUrl: `${am.url}/am`, timeoutMs: 2_000 }).expireSilence('a/b');
    expect(am.seen[0]).toMatchObject({ method: 'DELETE', url: '/am/api/v2/silence/a%2Fb' });
  });

  it('sends credentials from the URL as basic auth and never names them in errors', async () => {
    const am = await fakeAm(500, { error: 'boom' });
    const client = createAlertmanagerClient({
      baseUrl: am.url.replace('http://', 'http://ops:s3cret@'),
      timeoutMs: 2_000,
    });
    const err = await client.alerts().catch((e: Error) => e);
    expect(am.seen[0]?.auth).toBe(`Basic ${Buffer.from('ops:s3cret').toString('base64')}`);
    expect(err).toMatchObject({ code: 'alertmanager_api_error', reason: 'http_500' });
    expect(String((err as Error).message)).not.toContain('s3cret');
    expect(client.url).toBe(am.url);
  });

  it('reports a server that does not answer in time as a timeout', async () => {
    const am = await fakeAm(200, 'never');
    const err = await createAlertmanagerClient({ baseUrl: am.url, timeoutMs: 50 })
      .alerts()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'timeout' });
  });

  it('reports a closed port as unreachable', async () => {
    const am = await fakeAm(200, []);
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const err = await createAlertmanagerClient({ baseUrl: am.url, timeoutMs: 2_000 })
      .alerts()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'unreachable', operation: 'list alerts' });
  });
});
