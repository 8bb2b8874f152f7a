import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { SlackSession } from '../../src/slack/session.js';
import type { PostMessageArgs } from '../../src/slack/types.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { MemorySlack } from '../helpers/memory-slack.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { waitFor } from '../helpers/process.js';
import { advanceDbClock } from './db-clock.js';

/**
 * CLI note threads on PostgreSQL (`threader slack thread-open` in a CI job) claim outbox rows
 * under a name and keep a heartbeat, as a serve replica does: a command killed in the middle of a
 * Slack call has its row taken back once it has been silent for a lease, never while it is alive.
 */

/** A Slack whose posts never answer: the command is killed while it waits. */
class HangingSlack extends MemorySlack {
  override postMessage(args: PostMessageArgs): Promise<{ channel: string; ts: string }> {
    this.calls.push({ method: 'chat.postMessage', at: Date.now(), channel: args.channel, ok: false, args });
    return new Promise(() => {});
  }
}

const missing = postgresMissing();
let server: TestPostgres;
const cleanup: Array<() => Promise<void>> = [];

async function claimsOf(url: string): Promise<Array<{ status: string; claimed_by: string | null }>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('SELECT status, claimed_by FROM outbox ORDER BY id')).rows;
  } finally {
    await c.end();
  }
}

if (missing) {
  describe.skip(`CLI sessions on PostgreSQL (skipped: ${missing})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const c of cleanup.splice(0)) await c().catch(() => undefined);
    await server?.stop();
  });

  describe('CLI sessions on PostgreSQL', () => {
    it("a killed command's claim is named, kept while it lives, and taken over once it falls silent", async () => {
      const url = await server.createDatabase();
      const config = await loadConfig({ env: { THREADER_DB: url, SLACK_CHANNEL: 'C_CI' } });
      const lease = config.store.lease;

      // Command 1 opens a thread; its post of the parent never answers.
      const hanging = new HangingSlack(() => Date.now());
      const first = await SlackSession.open(config, { client: hanging });
      cleanup.push(() => first.store.close());
      const id = await first.open('C_CI', 'deploy api 1.2.3', 'run-1');
      await waitFor(async () => (hanging.calls.length > 0 ? true : undefined), { what: 'the hanging post' });
      const [claim] = await claimsOf(url);
      expect(claim?.status).toBe('inflight');
      expect(claim?.claimed_by).toMatch(/^cli:[^:]+:\d+:[0-9a-f]+$/);

      // Alive: a replica-style sweep leaves its call alone.
      const sweeper = new PostgresStore({ url, poolSize: 2 });
      await sweeper.init();
      cleanup.push(() => sweeper.close());
      expect(await sweeper.recoverInflight({ kinds: ['note'], silentForMs: lease })).toBe(0);

      // Killed: no more heartbeats. A lease later (on the database's clock) the next command takes
      // the row over, looks for the lost post in Slack, and posts the parent once.
      first.engine.stop();
      await advanceDbClock(url, lease + 1);
      const slack = new MemorySlack(() => Date.now());
      const second = await SlackSession.open(config, { client: slack });
      cleanup.push(() => second.close());
      expect(await second.flush(10_000)).toBe(true);
      expect(slack.posts('C_CI')).toHaveLength(1);
      expect(await second.parentTs(id)).toBe(slack.messages[0]?.ts);
      expect(slack.calls.map((c) => c.method)).toContain('conversations.history');
      expect((await claimsOf(url)).map((r) => r.status)).toEqual(['done']);
    }, 30_000);
  });
}
