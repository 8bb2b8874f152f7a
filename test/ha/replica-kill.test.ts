import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackEmulator } from '../../src/emulator/index.js';
import { until } from '../helpers/alertmanager.js';
import { alert, webhookBody } from '../helpers/builders.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { stopAll } from '../helpers/process.js';
import {
  doubled,
  posted,
  scaledEmulator,
  slackPicture,
  startReplica,
  writeReplicaConfig,
  type Replica,
} from './ha-harness.js';

/**
 * Two replicas on one PostgreSQL take a storm; the one with a Slack post on the wire is killed
 * with SIGKILL. The survivor takes over its leases and its row in flight (looked up in Slack,
 * not re-posted), and finishes everything: nothing lost, nothing doubled.
 */

const missing = postgresMissing();
const CHANNELS = ['C_K0', 'C_K1', 'C_K2', 'C_K3'];
const GROUPS = 40;
const names = Array.from({ length: GROUPS }, (_, i) => `Kill${String(i).padStart(2, '0')}`);

function group(i: number, instances: string[]) {
  const name = names[i] as string;
  const labels = { alertname: name, team: `t${i % CHANNELS.length}` };
  return webhookBody({
    groupKey: `{}:{alertname="${name}"}`,
    groupLabels: labels,
    commonLabels: { ...labels, severity: 'critical' },
    alerts: instances.map((instance) => alert({ labels: { ...labels, instance } })),
  });
}

describe.skipIf(missing !== undefined)(
  `a replica killed mid-storm${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let server: TestPostgres;
    let emu: SlackEmulator;
    let dir: string;
    let db: string;
    let sql: pg.Client;
    const replicas: Replica[] = [];

    beforeAll(async () => {
      server = await startPostgres();
      emu = await scaledEmulator();
      dir = mkdtempSync(join(tmpdir(), 'threader-ha-kill-'));
      const configPath = writeReplicaConfig(dir, CHANNELS);
      db = await server.createDatabase();
      for (const name of ['a', 'b'])
        replicas.push(await startReplica(name, { db, emulator: emu, configPath, channel: 'C_K_DEFAULT' }));
      sql = new pg.Client({ connectionString: db });
      await sql.connect();
    });
    afterAll(async () => {
      await sql?.end();
      await stopAll();
      await emu?.close();
      await server?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const post = async (r: Replica, body: unknown) => {
      try {
        const res = await fetch(`${r.url}/webhook/alertmanager`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return res.status;
      } catch {
        return 0; // refused or reset by the kill: Alertmanager would retry, or its peer sends it
      }
    };
    /** Every webhook to both replicas, as two Alertmanager peers do. */
    const both = async (body: unknown) => Promise.all(replicas.map((r) => post(r, body)));

    it('the survivor finishes the dead replica’s work: nothing lost, nothing doubled', async () => {
      // Slack slows down so posts are on the wire for a while.
      emu.faults.set({ latencyMs: 250 });
      for (let i = 0; i < GROUPS; i++)
        expect((await both(group(i, ['n1', 'n2']))).every((s) => s === 200)).toBe(true);

      // Wait for a post in flight, and kill the replica that sent it.
      const inflight = await until(
        async () => {
          const { rows } = await sql.query(
            "SELECT claimed_by FROM outbox WHERE status = 'inflight' AND kind <> 'update_parent' LIMIT 1",
          );
          return rows[0]?.claimed_by as string | undefined;
        },
        { timeoutMs: 20_000, intervalMs: 5, what: 'a post in flight' },
      );
      const victim = replicas.find((r) => inflight.split(':')[1] === String(r.process.pid)) as Replica;
      const survivor = replicas.find((r) => r !== victim) as Replica;
      expect(victim).toBeDefined();
      process.kill(victim.process.pid, 'SIGKILL');
      expect((await victim.process.exited).signal).toBe('SIGKILL');
      const deliveredAtKill = slackPicture(emu, CHANNELS).parents.length;
      expect(deliveredAtKill).toBeLessThan(GROUPS);

      // The storm goes on: every group grows; only the survivor is there to take it.
      emu.faults.set({ latencyMs: 20 });
      for (let i = 0; i < GROUPS; i++) expect(await post(survivor, group(i, ['n1', 'n2', 'n3']))).toBe(200);

      // Its row in flight comes back once the dead replica's lease lapsed, for a lookup first.
      await survivor.process.waitForLine(/took over Slack actions of a replica that stopped/, 30_000);
      await until(
        async () => {
          const h = (await (await fetch(`${survivor.url}/health`)).json()) as {
            pendingNotifications: number;
            outbox: { depth: number };
          };
          const threads = CHANNELS.flatMap((c) => emu.threads(c));
          return (
            h.pendingNotifications === 0 &&
            h.outbox.depth === 0 &&
            threads.length === GROUPS &&
            threads.every((t) => t.replies.length >= 1)
          );
        },
        { timeoutMs: 60_000, what: 'the survivor drained everything' },
      );

      const { parents, all } = slackPicture(emu, CHANNELS);
      expect(parents.map((p) => p.original.text.match(/Kill\d\d/)?.[0]).sort()).toEqual(names);
      expect(doubled(all)).toEqual([]);
      for (const { parent, replies } of CHANNELS.flatMap((c) => emu.threads(c))) {
        // One "new alert" reply per thread, under its own parent, and the parent shows all three.
        expect(replies.map((r) => r.original.text.split(' — ')[0])).toEqual(['🔥 1 new alert firing']);
        expect(posted(replies[0]!).thread_id).toBe(posted(parent).thread_id);
        expect(parent.text).toMatch(/3 firing/);
      }
      expect(all.some((m) => m.orphan || m.thread_ts_was_reply)).toBe(false);
      // The post cut off by the kill was found in Slack by its metadata, not posted again.
      const metrics = await (await fetch(`${survivor.url}/metrics`)).text();
      expect(Number(/threader_slack_reconciled_total (\d+)/.exec(metrics)?.[1] ?? 0)).toBeGreaterThanOrEqual(
        1,
      );
      const { rows } = await sql.query("SELECT count(*)::int AS n FROM outbox WHERE status <> 'done'");
      expect(rows[0].n).toBe(0);
    });
  },
);
