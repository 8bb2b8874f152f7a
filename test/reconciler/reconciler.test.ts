import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertmanagerClient } from '../../src/alertmanager/client.js';
import type { MessageView } from '../../src/emulator/index.js';
import { Reconciler } from '../../src/reconciler/reconciler.js';
import {
  ALERTMANAGER_BIN,
  alertmanagerConfig,
  amAlert,
  startAlertmanager,
  until,
  type Alertmanager,
} from '../helpers/alertmanager.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startProcess, stopAll, waitForHttp } from '../helpers/process.js';
import { startThreader, type TestThreader } from '../helpers/threader.js';

/**
 * The resolve that never arrives: a real Alertmanager is told not to send resolves, the alert
 * resolves in Alertmanager, and the reconciler — asked round by round, no timers involved — closes
 * the thread through the normal pipeline. With Alertmanager down it closes nothing.
 */

const CHANNEL = 'C_ALERTS';

describe('reconciler against a real Alertmanager', () => {
  let t: TestThreader;
  let am: Alertmanager;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threader-reconcile-'));
    const configPath = join(dir, 'threader.yaml');
    // A long interval: the test drives the rounds itself. No confirmation period: one round that
    // finds the alerts gone closes (the restart case below runs with one).
    writeFileSync(
      configPath,
      stringify({
        alertmanager: { reconcile: { enabled: true, interval: '1h', grace: '0s', confirm: '0s' } },
      }),
    );
    t = await startThreader({ configPath });
    am = await startAlertmanager({ webhookUrl: `${t.url}/webhook/alertmanager` });
    // The lost resolve, made certain: this Alertmanager never sends one.
    const config = alertmanagerConfig({ webhookUrl: `${t.url}/webhook/alertmanager` }) as {
      receivers: Array<{ webhook_configs: Array<Record<string, unknown>> }>;
    };
    config.receivers[0]!.webhook_configs[0]!.send_resolved = false;
    writeFileSync(am.configPath, stringify(config));
    const reload = await fetch(`${am.url}/-/reload`, { method: 'POST' });
    expect(reload.status).toBe(200);
  });
  afterAll(async () => {
    await am?.stop();
    await t?.close();
    await stopAll();
  });

  const parents = () => t.emu.messages(CHANNEL).filter((m) => !m.thread_ts);
  const threadOf = async (alertname: string) =>
    (await t.app.store.listThreads({})).find((th) => th.state.groupLabels.alertname === alertname);

  it('closes a thread whose alerts Alertmanager no longer reports, and only then', async () => {
    const disk = amAlert({ alertname: 'DiskFull', instance: 'db-1', severity: 'warning' });
    await am.push([disk]);
    await until(() => parents().length === 1, { timeoutMs: 15_000, what: 'parent posted' });
    const reconciler = t.app.reconciler!;

    const still = await reconciler.runOnce();
    expect(still).toMatchObject({ leader: true, checked: 1, closed: [], unreachable: [] });
    expect((await threadOf('DiskFull'))?.status).toBe('firing');

    await am.resolve([disk]);
    await until(async () => (await am.alerts()).length === 0, { what: 'Alertmanager forgot the alert' });
    const thread = await threadOf('DiskFull');
    expect(await reconciler.runOnce()).toMatchObject({ checked: 1, closed: [thread!.id], unreachable: [] });
    await t.app.settle();

    const after = await threadOf('DiskFull');
    expect(after?.status).toBe('resolved');
    const parent = t.emu.messages(CHANNEL).find((m) => m.ts === after!.parentTs) as MessageView;
    expect(parent.text).toMatch(/RESOLVED/);
    expect(JSON.stringify(parent.blocks)).toContain(
      'Resolved (reconciled: Alertmanager no longer reports these alerts)',
    );
    const replies = t.emu.messages(CHANNEL).filter((m) => m.thread_ts === parent.ts && m.ts !== parent.ts);
    expect(replies.at(-1)?.text).toMatch(/resolved/i);
    // A second round finds nothing left to do.
    expect((await reconciler.runOnce()).closed).toEqual([]);
  });

  it('closes nothing while Alertmanager cannot be reached', async () => {
    const cpu = amAlert({ alertname: 'CpuHot', instance: 'web-1', severity: 'warning' });
    await am.push([cpu]);
    await until(async () => (await threadOf('CpuHot'))?.parentTs, {
      timeoutMs: 15_000,
      what: 'second parent',
    });
    await am.resolve([cpu]);
    await until(async () => (await am.alerts()).length === 0, { what: 'Alertmanager forgot the alert' });
    await am.stop();

    const round = await t.app.reconciler!.runOnce();
    expect(round.closed).toEqual([]);
    expect(round.unreachable).toEqual([am.url]);
    await t.app.settle();
    expect((await threadOf('CpuHot'))?.status).toBe('firing');
    expect(t.logs.some((l) => String(l.msg).includes('Alertmanager unreachable; closing nothing'))).toBe(
      true,
    );
  });
});

/**
 * Stops the Alertmanager and starts it again on the same port and storage: its alerts are gone
 * (Alertmanager keeps none across a restart) but its notification log is not, so it will not
 * notify the still-firing group again before repeat_interval.
 */
async function restart(am: Alertmanager): Promise<void> {
  await am.processes[0]!.stop(3_000);
  am.processes[0] = startProcess(
    ALERTMANAGER_BIN,
    [
      `--config.file=${am.configPath}`,
      `--storage.path=${join(dirname(am.configPath), 'data-0')}`,
      `--web.listen-address=127.0.0.1:${new URL(am.url).port}`,
      `--web.external-url=${am.url}`,
      '--cluster.listen-address=',
    ],
    { name: 'alertmanager#0 (restarted)' },
  );
  await waitForHttp(`${am.url}/-/ready`, 20_000);
}

describe('reconciler across an Alertmanager restart', () => {
  // Far above a restart on a loaded machine; only the fake clock has to cover it.
  const CONFIRM_MS = 30_000;
  let t: TestThreader;
  let am: Alertmanager;
  let clock: FakeClock;
  let reconciler: Reconciler;

  beforeAll(async () => {
    t = await startThreader();
    am = await startAlertmanager({ webhookUrl: `${t.url}/webhook/alertmanager` });
  });
  afterAll(async () => {
    await am?.stop();
    await t?.close();
    await stopAll();
  });

  /** The restarted Alertmanager's uptime by its own clock, as the reconciler reads it. */
  const uptimeMs = () => createAlertmanagerClient({ baseUrl: am.url, timeoutMs: 5_000 }).uptimeMs();

  /**
   * The app's store and a real client, but the confirmation period on a fake clock: the
   * Alertmanager has been up for its real uptime plus however far the test moved the clock.
   */
  function fakeTimeReconciler(): Reconciler {
    clock = new FakeClock(Date.now());
    const started = clock.now();
    return new Reconciler({
      store: t.app.store,
      clock,
      alertmanagerFor: (url) => {
        const real = createAlertmanagerClient({ baseUrl: url, timeoutMs: 5_000 });
        return { ...real, uptimeMs: async () => (await real.uptimeMs()) + (clock.now() - started) };
      },
      intervalMs: 3_600_000,
      graceMs: 0,
      confirmMs: CONFIRM_MS,
      onAppended: () => t.app.processor.kick(),
    });
  }

  it('keeps a live thread open while the restarted Alertmanager reports an empty list', async () => {
    const api = amAlert({ alertname: 'ApiDown', instance: 'api-1', severity: 'critical' });
    await am.push([api]);
    const thread = await until(
      async () => (await t.app.store.listThreads({})).find((th) => th.parentTs && th.status === 'firing'),
      { timeoutMs: 15_000, what: 'parent posted' },
    );

    await restart(am);
    reconciler = fakeTimeReconciler();
    expect(await am.alerts()).toEqual([]);
    // Just restarted: its empty list is no evidence at all.
    expect(await uptimeMs()).toBeLessThan(CONFIRM_MS);
    expect(await reconciler.runOnce()).toMatchObject({ closed: [], restarted: [am.url], pending: [] });

    // Up for the confirmation period, still empty (Prometheus has not resent yet): seen gone, not closed.
    await clock.advance(CONFIRM_MS);
    expect(await reconciler.runOnce()).toMatchObject({ closed: [], restarted: [], pending: [thread.id] });
    await clock.advance(CONFIRM_MS / 2);
    expect(await reconciler.runOnce()).toMatchObject({ closed: [], pending: [thread.id] });

    // Prometheus resends the firing alert: the thread is simply live again.
    await am.push([api]);
    await until(async () => (await am.alerts()).length === 1, { what: 'alert back in Alertmanager' });
    await clock.advance(CONFIRM_MS);
    expect(await reconciler.runOnce()).toMatchObject({ checked: 1, closed: [], pending: [] });
    await t.app.settle();
    const after = await t.app.store.getThread(thread.id);
    expect(after?.status).toBe('firing');
    expect(after?.interaction?.reconciledAt).toBeUndefined();
    const parent = t.emu.messages(CHANNEL).find((m) => m.ts === thread.parentTs) as MessageView;
    expect(parent.text).not.toMatch(/RESOLVED/);
  });
});
