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
      const started = Date.now();
      await t.app.close();
      expect(Date.now() - started).toBeLessThan(5_000);
      const rest = await reader.read().catch(() => ({ done: true }));
      expect(rest.done).toBe(true);
    } finally {
      await t.emu.close();
    }
  });
});
