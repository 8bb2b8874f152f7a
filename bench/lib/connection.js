/**
 * A minimal HTTP/1.1 keep-alive client connection: one request in flight, the request bytes built
 * once. Node's http.Agent costs several times more CPU per request than the servers under test,
 * and on a 2-core machine a slow load generator would flatter whichever server is faster.
 */
import { Buffer } from 'node:buffer';
import { connect } from 'node:net';

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** The full bytes of `POST path` with a JSON body, reusable for every request. */
export function jsonRequest(host, port, path, body) {
  const head =
    `POST ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
}

export class Connection {
  /** @param {{host: string, port: number}} target */
  static open(target) {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.host, port: target.port, noDelay: true });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.pending = undefined;
    this.busy = false;
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by server')));
  }

  /** Sends prebuilt request bytes; resolves with the response status code. */
  send(bytes) {
    this.busy = true;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(bytes);
    });
  }

  onData(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const end = this.buf.indexOf(CRLFCRLF);
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) return this.fail(new Error(`response without content-length: ${head.split('\r\n')[0]}`));
    const total = end + 4 + Number(length[1]);
    if (this.buf.length < total) return;
    const status = Number(head.slice(9, 12));
    this.buf = this.buf.subarray(total);
    const p = this.pending;
    this.pending = undefined;
    this.busy = false;
    p?.resolve(status);
  }

  fail(err) {
    const p = this.pending;
    this.pending = undefined;
    this.busy = false;
    this.dead = true;
    p?.reject(err);
  }

  close() {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}

/** Sends every body once over `connections` keep-alive connections; returns status counts. */
export async function sendAll(target, bodies, connections) {
  const conns = await Promise.all(Array.from({ length: connections }, () => Connection.open(target)));
  const statuses = {};
  let next = 0;
  await Promise.all(
    conns.map(async (c) => {
      while (next < bodies.length) {
        const status = await c.send(bodies[next++]);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  for (const c of conns) c.close();
  return statuses;
}
