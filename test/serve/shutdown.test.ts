import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { webhookBody } from '../helpers/builders.js';
import { startThreader } from '../helpers/threader.js';

// SIGTERM (a deploy, a restart) must not leave a post that Slack accepted unrecorded: after the
// restart it would have to be looked up, and without the history scope it could not be.
describe('graceful shutdown', () => {
  it('lets the Slack call in flight land and records it before closing the store', async () => {
    const t = await startThreader({
      emulator: { faults: { latencyMs: 400, methods: ['chat.postMessage'] } },
    });
    expect((await t.post(webhookBody())).status).toBe(200);
    // Wait until the parent post is on the wire, then stop the way SIGTERM does.
    for (let i = 0; i < 200 && t.emu.calls({ method: 'chat.postMessage' }).length === 0; i++) {
      const [thread] = await t.app.store.listThreads({});
      if (thread && (await t.app.store.outbox(thread.id))[0]?.status === 'inflight') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await t.close();

    const store = new SqliteStore({ path: t.dbPath });
    await store.init();
    const [thread] = await store.listThreads({});
    const rows = await store.outbox(thread!.id);
    expect(rows.map((r) => `${r.kind}:${r.status}`)).toEqual(['post_parent:done']);
    expect(thread!.parentTs).toBe(t.emu.messages('C_ALERTS')[0]?.ts);
    await store.close();
  });
});
