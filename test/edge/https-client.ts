import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request } from 'node:https';

/**
 * HTTPS requests that trust only the test's own self-signed certificate (global fetch cannot be
 * given a CA without undici), plus a stream reader for server-sent events.
 */

export interface HttpsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Raw header pairs as sent, to count repeats of one header. */
  rawHeaders: string[];
  body: string;
}

export interface HttpsOptions {
  ca: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Socket idle time before the request fails (default 10 s). */
  timeoutMs?: number;
}

function open(url: string, opts: HttpsOptions): Promise<IncomingMessage> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        ca: opts.ca,
        servername: 'localhost',
        // A fresh connection per request: a test never inherits another's kept-alive socket.
        agent: false,
      },
      resolve,
    );
    // A buffering proxy would hold even the response head of an event stream: fail, do not hang.
    req.setTimeout(opts.timeoutMs ?? 10_000, () =>
      req.destroy(new Error(`no response from ${url} within ${opts.timeoutMs ?? 10_000} ms`)),
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export async function httpsRequest(url: string, opts: HttpsOptions): Promise<HttpsResponse> {
  const res = await open(url, opts);
  let body = '';
  res.setEncoding('utf8');
  for await (const chunk of res) body += chunk as string;
  return { status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body };
}

/** How often a header name occurs in a response (case-insensitive). */
export function headerCount(res: { rawHeaders: string[] }, name: string): number {
  return res.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === name.toLowerCase()).length;
}

export interface EventStream {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  /** Resolves with the text received so far once it contains `text`; rejects if the stream ends first. */
  waitFor(text: string, timeoutMs?: number): Promise<string>;
  /** True once the response ended. */
  ended(): boolean;
  close(): void;
}

export async function openEventStream(url: string, opts: HttpsOptions): Promise<EventStream> {
  const res = await open(url, { ...opts, headers: { accept: 'text/event-stream', ...opts.headers } });
  res.setEncoding('utf8');
  let text = '';
  let done = false;
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  res.on('data', (d: string) => {
    text += d;
    wake();
  });
  res.on('end', () => {
    done = true;
    wake();
  });
  res.on('error', () => {
    done = true;
    wake();
  });
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    rawHeaders: res.rawHeaders,
    ended: () => done,
    close: () => res.destroy(),
    waitFor: (needle, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no "${needle}" within ${timeoutMs} ms; got:\n${text}`))),
          timeoutMs,
        );
        const finish = (fn: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          fn();
        };
        const check = () => {
          if (text.includes(needle)) finish(() => resolve(text));
          else if (done) finish(() => reject(new Error(`stream ended before "${needle}"; got:\n${text}`)));
        };
        waiters.add(check);
        check();
      }),
  };
}
