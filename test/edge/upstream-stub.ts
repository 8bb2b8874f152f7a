import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A replica stand-in behind the edge whose timing the test controls: GET /events opens an event
 * stream that stays open until the test ends it, so "arrived before the stream ended" is a fact,
 * not a race. Every other request is answered with 200 and recorded with its headers and socket.
 */
export interface UpstreamStub {
  /** host:port */
  address: string;
  requests: Array<{ url: string; headers: IncomingHttpHeaders; socket: number }>;
  /** Resolves once an event stream is open. */
  streamOpened(): Promise<void>;
  /** Writes to every open event stream. */
  send(event: string): void;
  endStreams(): void;
  close(): Promise<void>;
}

export async function startUpstreamStub(): Promise<UpstreamStub> {
  const streams = new Set<ServerResponse>();
  const sockets = new Map<Socket, number>();
  const requests: UpstreamStub['requests'] = [];
  let opened: (() => void) | undefined;
  let openedOnce = new Promise<void>((r) => (opened = r));
  const server = createServer((req, res) => {
    const socket = sockets.get(req.socket) ?? sockets.size + 1;
    sockets.set(req.socket, socket);
    requests.push({ url: req.url ?? '', headers: req.headers, socket });
    if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      // One small event at once, far below any proxy buffer: a buffering edge would sit on it.
      res.write('event: hello\ndata: first\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      opened?.();
      return;
    }
    // A copy of a header the edge owns, which the edge must replace, not repeat.
    res.writeHead(200, { 'content-type': 'text/plain', 'x-frame-options': 'SAMEORIGIN' });
    res.end('ok\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    requests,
    streamOpened: () => openedOnce,
    send: (event) => streams.forEach((s) => s.write(event)),
    endStreams: () => {
      streams.forEach((s) => s.end());
      openedOnce = new Promise<void>((r) => (opened = r));
    },
    close: async () => {
      streams.forEach((s) => s.destroy());
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
