/**
 * startSlackEmulator(): the HTTP face. `/api/<method>` is the Web API (point @slack/web-api's
 * `slackApiUrl` at `emu.url`), `/_emulator/*` the inspection API, `/archives/<channel>/p<ts>` answers
 * the permalinks chat.getPermalink hands out. Loopback by default.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseApiRequest } from './body.js';
import { Engine } from './engine.js';
import { Interactivity } from './actions.js';
import { inspect } from './inspect.js';
import { resolveRateLimits } from './rate-limit.js';
import type { Identity } from './render.js';
import { apiMessage } from './render.js';
import { EmulatorState } from './state.js';
import type { SlackEmulatorOptions } from './types.js';

/** Slack refuses bodies this large long before; a cap keeps a runaway test from eating memory. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class SlackEmulator extends EmulatorState {
  /** Web API base URL, ending with `/api/`. */
  url = '';
  /** Workspace URL (`http://host:port/`), as auth.test reports it; permalinks live under it. */
  baseUrl = '';
  port = 0;
  host = '';
  /** Signed button clicks sent to an app's Request URL (POST /_emulator/actions). */
  readonly interactivity = new Interactivity();
  /** Stops listening and drops open connections. */
  close: () => Promise<void> = async () => {};
}

const DEFAULT_IDENTITY: Omit<Identity, 'teamName'> = {
  teamId: 'T0EMULATOR',
  botUserId: 'U0EMUBOT01',
  botId: 'B0EMUBOT01',
  appId: 'A0EMUAPP01',
};

export async function startSlackEmulator(options: SlackEmulatorOptions = {}): Promise<SlackEmulator> {
  const now = options.now ?? Date.now;
  const emu = new SlackEmulator({
    autoCreateChannels: options.autoCreateChannels ?? true,
    channels: options.channels ?? [],
    rateLimits: resolveRateLimits(options.rateLimits),
    random: options.random ?? Math.random,
    initialFaults: options.faults ?? {},
    now,
  });
  const identity: Identity = {
    ...DEFAULT_IDENTITY,
    teamName: options.teamName ?? 'Emulated Slack',
    ...(options.teamId ? { teamId: options.teamId } : {}),
    ...(options.botUserId ? { botUserId: options.botUserId } : {}),
    ...(options.botId ? { botId: options.botId } : {}),
  };
  const engine = new Engine({
    store: emu.store,
    limiter: emu.limiter,
    faults: emu.faultsImpl,
    log: emu.log,
    identity,
    now,
    acceptsToken: (token) =>
      options.token === undefined ? token.startsWith('xoxb-') : token === options.token,
    workspaceUrl: () => emu.baseUrl,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: 'emulator_error', message: String(err) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const raw = await readBody(req);
    if (raw === undefined) return send(res, 413, { ok: false, error: 'request_too_large' });

    if (url.pathname.startsWith('/api/')) {
      const parsed = parseApiRequest({
        httpMethod: req.method ?? 'POST',
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        query: url.searchParams,
        rawBody: raw,
      });
      const out = await engine.handle({ method: decodeURIComponent(url.pathname.slice(5)), ...parsed });
      if (out.drop) {
        req.socket.destroy();
        return;
      }
      res.writeHead(out.status, out.headers).end(out.body);
      return;
    }
    if (url.pathname.startsWith('/_emulator/')) {
      let body: unknown;
      try {
        body = raw.length > 0 ? JSON.parse(raw) : undefined;
      } catch {
        return send(res, 400, { error: 'invalid_json' });
      }
      const route = url.pathname.slice('/_emulator/'.length);
      const interactive = await emu.interactivity.handle(emu, emu.baseUrl, req.method ?? 'GET', route, body);
      if (interactive) return send(res, interactive.status, interactive.body);
      const out = inspect(
        emu,
        req.method ?? 'GET',
        url.pathname.slice('/_emulator/'.length),
        url.searchParams,
        body,
      );
      return send(res, out.status, out.body);
    }
    const permalink = /^\/archives\/([^/]+)\/p(\d{10,})(\d{6})$/.exec(url.pathname);
    if (permalink && req.method === 'GET') {
      const [, channelId = '', seconds, micros] = permalink;
      const message = emu.store.get(decodeURIComponent(channelId))?.byTs.get(`${seconds}.${micros}`);
      if (!message || message.deleted) return send(res, 404, { error: 'message_not_found' });
      return send(res, 200, {
        channel: message.channel,
        message: apiMessage(message, identity, { includeMetadata: true }),
      });
    }
    send(res, 404, { error: 'not_found' });
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  emu.host = host;
  emu.port = port;
  emu.baseUrl = `http://${urlHost}:${port}/`;
  emu.url = `${emu.baseUrl}api/`;
  let closing: Promise<void> | undefined;
  // Idempotent: a test's afterEach may close an emulator the test already closed.
  emu.close = () =>
    (closing ??= new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }));
  return emu;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/** The request body as text, or undefined when it exceeds MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
