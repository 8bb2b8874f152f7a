import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { episode, part } from '../../test/helpers/builders.js';
import { storeContract } from './contract.test-suite.js';
import { SqliteStore } from './sqlite.js';

const opened: SqliteStore[] = [];
storeContract('sqlite', async () => {
  const s = new SqliteStore({ path: ':memory:' });
  await s.init();
  opened.push(s);
  return s;
});
afterAll(async () => Promise.all(opened.map((s) => s.close())));

describe('sqlite store on disk', () => {
  it('keeps everything across a reopen and applies migrations once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'threader-sqlite-')), 'nested', 'threader.db');
    const a = new SqliteStore({ path });
    await a.init();
    const [nid] = await a.appendNotifications([
      { threadKey: 'k', channel: 'C', receivedAt: 1, part: part() },
    ]);
    await a.commitDecision({
      notificationId: nid as number,
      reason: 'first notification',
      episode: episode({ id: 'ep_x', threadKey: 'k' }),
      actions: [{ type: 'post_parent', episodeId: 'ep_x' }],
      now: 2,
    });
    const installation = await a.installationId();
    await a.close();
    const b = new SqliteStore({ path });
    await b.init();
    // Our Slack messages carry it: after a restart the lookup must still recognise them.
    expect(await b.installationId()).toBe(installation);
    expect((await b.latestEpisode('k'))?.id).toBe('ep_x');
    expect(await b.deliverable(10, 10)).toHaveLength(1);
    await b.close();
  });

  it('reports an unreachable database as store_unavailable', async () => {
    const s = new SqliteStore({ path: ':memory:' });
    await s.init();
    await s.close();
    await expect(s.ping()).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});
