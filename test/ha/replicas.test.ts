import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackEmulator } from '../../src/emulator/index.js';
import { amAlert, until, waitForCluster, type Alertmanager } from '../helpers/alertmanager.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { stopAll } from '../helpers/process.js';
import {
  doubled,
  posted,
  scaledEmulator,
  slackPicture,
  startAlertmanagerCluster,
  startReplica,
  writeReplicaConfig,
  type Replica,
} from './ha-harness.js';

/**
 * Two real Alertmanagers in one cluster, each sending to its own `threader serve` replica, both
 * replicas on one PostgreSQL, one Slack. HA peers send duplicates by design, so both replicas race
 * on the same groups: users must still see exactly one parent per group, and every resolve.
 */

const missing = postgresMissing();
const CHANNELS = ['C_HA0', 'C_HA1', 'C_HA2', 'C_HA3', 'C_HA4'];
const GROUPS = 50;
const names = Array.from({ length: GROUPS }, (_, i) => `Ha${String(i).padStart(2, '0')}`);
const team = (i: number) => `t${i % CHANNELS.length}`;
const startsAt = new Date(Date.now() - 60_000).toISOString();
const alertsOf = (instances: string[]) =>
  names.flatMap((alertname, i) =>
    instances.map((instance) =>
      amAlert({ alertname, team: team(i), instance, severity: 'critical' }, { startsAt }),
    ),
  );

describe.skipIf(missing !== undefined)(
  `replicas on PostgreSQL${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let pg: TestPostgres;
    let emu: SlackEmulator;
    let am: Alertmanager;
    let dir: string;
    const replicas: Replica[] = [];

    beforeAll(async () => {
      pg = await startPostgres();
      emu = await scaledEmulator();
      dir = mkdtempSync(join(tmpdir(), 'threader-ha-'));
      const configPath = writeReplicaConfig(dir, CHANNELS);
      const db = await pg.createDatabase();
      // Started together: the schema migrates once, under the advisory lock.
      replicas.push(
        ...(await Promise.all(
          ['a', 'b'].map((name) =>
            startReplica(name, { db, emulator: emu, configPath, channel: 'C_HA_DEFAULT' }),
          ),
        )),
      );
      am = await startAlertmanagerCluster(replicas.map((r) => `${r.url}/webhook/alertmanager`));
      await waitForCluster(am);
    });
    afterAll(async () => {
      await am?.stop();
      await stopAll();
      await emu?.close();
      await pg?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const threadsOf = () => CHANNELS.flatMap((c) => emu.threads(c));
    /** Webhooks this replica accepted (200) from its Alertmanager peer. */
    const accepted = async (r: Replica) =>
      [
        ...(await (await fetch(`${r.url}/metrics`)).text()).matchAll(
          /^threader_http_requests_total\{([^}]*)\} (\d+)/gm,
        ),
      ]
        .filter(
          (m) => /route="\/webhook\/alertmanager"/.test(m[1] as string) && /code="200"/.test(m[1] as string),
        )
        .map((m) => Number(m[2]))
        .reduce((a, b) => a + b, 0);

    it('50 groups fire, grow and resolve: one parent per group, every resolve delivered, nothing doubled', async () => {
      // Fire: one alert per group.
      await am.push(alertsOf(['n1']));
      await until(() => slackPicture(emu, CHANNELS).parents.length >= GROUPS, {
        timeoutMs: 60_000,
        what: 'a parent for every group',
      });

      // Grow: a second alert in every group → one "new alert" reply each.
      await am.push(alertsOf(['n1', 'n2']));
      await until(() => threadsOf().every((t) => t.replies.length >= 1) && threadsOf().length === GROUPS, {
        timeoutMs: 60_000,
        what: 'growth replies',
      });

      // Resolve everything.
      await am.resolve(alertsOf(['n1', 'n2']));
      await until(
        () =>
          threadsOf().every(
            (t) =>
              t.replies.some((r) => /resolved/i.test(r.original.text)) && /resolved/i.test(t.parent.text),
          ),
        { timeoutMs: 90_000, what: 'every group resolved in its thread' },
      );
      // Let any straggler (a late duplicate, an edit) land before counting.
      await until(
        async () => {
          for (const r of replicas) {
            const h = (await (await fetch(`${r.url}/health`)).json()) as {
              pendingNotifications: number;
              outbox: { depth: number };
            };
            if (h.pendingNotifications > 0 || h.outbox.depth > 0) return false;
          }
          return true;
        },
        { timeoutMs: 30_000, what: 'both replicas idle' },
      );

      const { parents, all } = slackPicture(emu, CHANNELS);
      expect(parents).toHaveLength(GROUPS);
      expect(parents.map((p) => p.original.text.match(/Ha\d\d/)?.[0]).sort()).toEqual(names);
      expect(doubled(all)).toEqual([]);
      for (const { parent, replies } of threadsOf()) {
        expect(replies.every((r) => posted(r).thread_id === posted(parent).thread_id)).toBe(true);
        expect(replies.filter((r) => /resolved/i.test(r.original.text)).length).toBeGreaterThanOrEqual(1);
      }
      expect(all.some((m) => m.orphan || m.thread_ts_was_reply)).toBe(false);
      // Each peer's webhooks reached its own replica (which replica then decides them is whoever is free).
      for (const r of replicas) expect(await accepted(r)).toBeGreaterThan(0);
      expect(emu.stats().ratelimited).toBe(0);
    });
  },
);
