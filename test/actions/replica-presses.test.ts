import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionWorker } from '../../src/actions/worker.js';
import { createAlertmanagerClient } from '../../src/alertmanager/client.js';
import type { AlertmanagerClient, Silence } from '../../src/alertmanager/types.js';
import { systemClock } from '../../src/clock.js';
import { PostgresStore } from '../../src/store/postgres.js';
import type { SlackActionKind } from '../../src/store/types.js';
import { alertmanagerMissing } from '../helpers/alertmanager-tools.js';
import { startAlertmanager, type Alertmanager } from '../helpers/alertmanager.js';
import { episode, part } from '../helpers/builders.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { stopAll } from '../helpers/process.js';
import { anyMissing } from '../helpers/require-tool.js';

/**
 * Button presses on two replicas sharing one PostgreSQL, against a real Alertmanager whose silence
 * calls the test holds open: a press on replica B arrives while replica A is still creating a
 * silence for the same thread. B must not act on that thread meanwhile, so Silence twice makes
 * one silence, and an Ack pressed during a Silence is kept beside it.
 */

const missing = anyMissing(postgresMissing(), alertmanagerMissing());
const ANA = { id: 'U0ANA', name: 'ana' };
const BOB = { id: 'U0BOB', name: 'bob' };

/** Opens when the test says so; `entered` resolves once someone waits at it. */
function gate() {
  let open!: () => void;
  let entered!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (entered = r));
  return { open, reached, pass: () => (entered(), opened) };
}

/** A press that never reaches Alertmanager fails in seconds with a message, not at the 120 s timeout. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

if (missing) {
  describe.skip(`button presses on replicas (skipped: ${missing})`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  describe('button presses on two replicas sharing one PostgreSQL', () => {
    let pg: TestPostgres;
    let am: Alertmanager;
    const stores: PostgresStore[] = [];
    const workers: ActionWorker[] = [];
    let silenceGate = gate();

    beforeAll(async () => {
      pg = await startPostgres();
      // Nothing is pushed to this Alertmanager: it only holds silences.
      am = await startAlertmanager({ webhookUrl: 'http://127.0.0.1:9/unused' });
      const url = await pg.createDatabase();
      for (let i = 0; i < 2; i++) {
        const store = new PostgresStore({ url, poolSize: 4 });
        await store.init();
        stores.push(store);
        const real = createAlertmanagerClient({ baseUrl: am.url, timeoutMs: 5_000 });
        const held: AlertmanagerClient = {
          ...real,
          createSilence: async (s) => {
            await silenceGate.pass();
            return real.createSilence(s);
          },
        };
        const worker = new ActionWorker({
          store,
          clock: systemClock,
          slack: { getPermalink: async () => 'https://slack.test/archives/C1/p1' },
          alertmanagerFor: () => held,
          respond: async () => true,
        });
        worker.start();
        workers.push(worker);
      }
    });
    afterAll(async () => {
      for (const w of workers) w.stop();
      await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
      await am?.stop();
      await pg?.stop();
      await stopAll();
    });

    const [A, B] = [0, 1];
    const openThread = async (id: string, alertname: string) => {
      const ep = episode({
        id,
        threadKey: `k-${id}`,
        externalURL: am.url,
        groupLabels: { alertname },
        commonLabels: { alertname, severity: 'critical' },
      });
      const [nid] = await stores[A]!.appendNotifications([
        {
          threadKey: ep.threadKey,
          channel: ep.channel,
          receivedAt: Date.now(),
          part: part({}, ep.threadKey),
        },
      ]);
      await stores[A]!.commitDecision({
        notificationId: nid as number,
        reason: 'first notification',
        episode: ep,
        actions: [],
        now: Date.now(),
      });
    };
    const press = async (replica: number, threadId: string, kind: SlackActionKind, actor = ANA) => {
      await stores[replica]!.queueSlackAction({
        threadId,
        kind,
        actor,
        durationMs: kind === 'silence' ? 3_600_000 : undefined,
        now: Date.now(),
      });
      workers[replica]!.kick();
    };
    const activeSilences = async (alertname: string) =>
      ((await (await fetch(`${am.url}/api/v2/silences`)).json()) as Silence[]).filter(
        (s) => s.status.state === 'active' && s.matchers.some((m) => m.value === alertname),
      );
    const idle = () => Promise.all(workers.map((w) => w.whenIdle()));

    it('Silence pressed on both replicas while the first is still being created makes one silence', async () => {
      silenceGate = gate();
      await openThread('ep_twice', 'DiskFull');
      await press(A, 'ep_twice', 'silence');
      await within(5_000, "replica A's silence call reaching Alertmanager", silenceGate.reached);
      // A is inside Alertmanager's silence call; B's press for the same thread must wait for it.
      await press(B, 'ep_twice', 'silence', BOB);
      await workers[B]!.whenIdle();
      silenceGate.open();
      await idle();

      const silences = await activeSilences('DiskFull');
      expect(silences).toHaveLength(1);
      const interaction = (await stores[B]!.getThread('ep_twice'))?.interaction;
      expect(interaction?.silence?.id).toBe(silences[0]!.id);
    });

    it('an Ack pressed on one replica while the other silences the thread is kept with the silence', async () => {
      silenceGate = gate();
      await openThread('ep_both', 'CpuHot');
      await press(A, 'ep_both', 'silence');
      await within(5_000, "replica A's silence call reaching Alertmanager", silenceGate.reached);
      await press(B, 'ep_both', 'ack', BOB);
      await workers[B]!.whenIdle();
      silenceGate.open();
      await idle();

      const silences = await activeSilences('CpuHot');
      expect(silences).toHaveLength(1);
      const interaction = (await stores[A]!.getThread('ep_both'))?.interaction;
      expect(interaction?.ack?.by).toEqual(BOB);
      expect(interaction?.silence?.id).toBe(silences[0]!.id);
    });
  });
}
