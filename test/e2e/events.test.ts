import { describe, expect, it } from 'vitest';
import { webhookBody } from '../helpers/builders.js';
import { startThreader } from '../helpers/threader.js';

/** Reads a text stream until `match` appears in what arrived so far. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  seen: { text: string },
  match: RegExp,
) {
  const decoder = new TextDecoder();
  while (!match.test(seen.text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${match}; got:\n${seen.text}`);
    seen.text += decoder.decode(value, { stream: true });
  }
}

/** A hang named in the failure, well before the test timeout. */
async function withinOrHang<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

describe('GET /events (server-sent events)', () => {
  it('tells a watcher about a new thread and its Slack message, and does not hold up shutdown', async () => {
    const t = await startThreader();
    try {
      const res = await fetch(`${t.url}/events`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(res.headers.get('x-accel-buffering')).toBe('no');
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const seen = { text: '' };
      await readUntil(reader, seen, /: connected\n\n/);
      expect(seen.text).toMatch(/^retry: \d+\n/);

      expect((await t.post(webhookBody())).status).toBe(200);
      await readUntil(reader, seen, /event: thread\ndata: \{"threadId":"ep_[0-9a-f]+"\}\n\n/);
      await readUntil(reader, seen, /event: message\ndata: \{"threadId":"ep_[0-9a-f]+"\}\n\n/);

      // The stream is still open: close() must end it rather than wait for the client.
      await withinOrHang(t.app.close(), 10_000, 'app.close() waiting for the open /events stream');
      // Ended by the server, cleanly: the last read is the end of the stream, not a network error.
      const rest = await reader.read();
      expect(rest.done).toBe(true);
    } finally {
      await t.emu.close();
    }
  });
});
