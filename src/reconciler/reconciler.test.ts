import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertmanagerClient, AmAlert } from '../alertmanager/types.js';
import type { EpisodeState } from '../core/types.js';
import { SqliteStore } from '../store/sqlite.js';
import type { LeaseHolder, ThreadStore } from '../store/types.js';
import { episode, part } from '../../test/helpers/builders.js';
import { FakeClock } from '../../test/helpers/fake-clock.js';
import { Reconciler, type ReconcilerDeps } from './reconciler.js';

/**
 * The reconciler's round against stand-in Alertmanagers (one per base URL) and a real SQLite
 * store, time moved by hand: what it closes, when, and what it leaves alone.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;

interface FakeAm {
  client: AlertmanagerClient;
  alerts: AmAlert[];
  startedAt: number;
  asked: number;
}

function fakeAm(url: string, clock: FakeClock): FakeAm {
  const am: FakeAm = {
    alerts: [],
    startedAt: clock.now() - HOUR,
    asked: 0,
    client: {
      url: url.replace(/\/\/[^@]*@/, '//'),
      alerts: async () => {
        am.asked++;
        return am.alerts;
      },
      uptimeMs: async () => clock.now() - am.startedAt,
      createSilence: async () => 'unused',
      getSilence: async () => {
        throw new Error('unused');
      },
      expireSilence: async () => undefined,
    },
  };
  return am;
}

const reported = (fp: string): AmAlert => ({
  fingerprint: fp,
  labels: { alertname: 'HighErrorRate' },
  annotations: {},
  startsAt: '',
  endsAt: '',
  status: { state: 'active', silencedBy: [], inhibitedBy: [] },
});

describe('Reconciler', () => {
  let clock: FakeClock;
  let store: ThreadStore;
  let ams: Map<string, FakeAm>;
  let asked: string[];

  beforeEach(async () => {
    clock = new FakeClock();
    store = new SqliteStore({ path: ':memory:' });
    await store.init();
    ams = new Map();
    asked = [];
  });

  const amAt = (url: string) => {
    let am = ams.get(url);
    if (!am) ams.set(url, (am = fakeAm(url, clock)));
    return am;
  };
  const reconciler = (over: Partial<ReconcilerDeps> = {}) =>
    new Reconciler({
      store,
      clock,
      alertmanagerFor: (url) => {
        asked.push(url);
        return amAt(url).client;
      },
      intervalMs: MIN,
      graceMs: 0,
      confirmMs: 5 * MIN,
      onAppended: () => undefined,
      ...over,
    });
  const open = async (id: string, over: Partial<EpisodeState> = {}) => {
    const ep = episode({
      id,
      threadKey: `k-${id}`,
      openedAt: clock.now(),
      lastNotifiedAt: clock.now(),
      ...over,
    });
    const [nid] = await store.appendNotifications([
      { threadKey: ep.threadKey, channel: ep.channel, receivedAt: clock.now(), part: part({}, ep.threadKey) },
    ]);
    await store.commitDecision({
      notificationId: nid as number,
      reason: 'first notification',
      episode: ep,
      actions: [{ type: 'post_parent', episodeId: id }],
      now: clock.now(),
    });
    return ep;
  };
  const resolvesQueued = async () =>
    (await store.pendingNotifications(100))
      .filter((n) => n.part.notification.status === 'resolved')
      .map((n) => n.threadKey);

  it('closes nothing after an Alertmanager restart that emptied its list, until its alerts are gone for the whole period', async () => {
    const ep = await open('ep_1');
    const am = amAt(ep.externalURL);
    const r = reconciler();
    // The restart: Alertmanager is up again with no alerts, as it is for a minute or so.
    am.startedAt = clock.now();
    await clock.advance(MIN);
    expect(await r.runOnce()).toMatchObject({ closed: [], restarted: [am.client.url] });
    expect(am.asked).toBe(0);
    // Up for the confirmation period and the list still empty: seen gone once, not closed yet.
    await clock.advance(am.startedAt + 5 * MIN - clock.now());
    expect(await r.runOnce()).toMatchObject({ closed: [], pending: ['ep_1'], restarted: [] });
    await clock.advance(5 * MIN);
    expect(await r.runOnce()).toMatchObject({ closed: [], pending: ['ep_1'] });
    await clock.advance(1);
    expect((await r.runOnce()).closed).toEqual(['ep_1']);
    expect(await resolvesQueued()).toEqual(['k-ep_1']);
  });

  it('starts the period over when the alerts come back in between', async () => {
    const ep = await open('ep_1');
    const am = amAt(ep.externalURL);
    const r = reconciler();
    const fp = Object.keys(ep.alerts)[0] as string;
    expect((await r.runOnce()).pending).toEqual(['ep_1']);
    await clock.advance(3 * MIN);
    am.alerts = [reported(fp)];
    expect((await r.runOnce()).pending).toEqual([]);
    am.alerts = [];
    await clock.advance(3 * MIN);
    expect((await r.runOnce()).closed).toEqual([]);
    await clock.advance(3 * MIN);
    expect((await r.runOnce()).closed).toEqual([]);
  });

  it("checks a thread from another Alertmanager against that one, and the configured one's threads with its credentials", async () => {
    await open('ep_eu', { externalURL: 'http://am-eu:9093' });
    await open('ep_us', { externalURL: 'http://am-us:9093/' });
    const r = reconciler({ configuredUrl: 'http://ops:pw@am-us:9093', confirmMs: 0 });
    const fpEu = Object.keys((await store.getThread('ep_eu'))!.state.alerts)[0] as string;
    amAt('http://am-eu:9093').alerts = [reported(fpEu)];
    const round = await r.runOnce();
    expect(asked.sort()).toEqual(['http://am-eu:9093', 'http://ops:pw@am-us:9093']);
    expect(round.closed).toEqual(['ep_us']);
  });

  it('keeps an Ack another replica records while it closes the thread', async () => {
    await open('ep_1');
    const ana = { id: 'U1', name: 'ana' };
    const ack = () => store.updateInteraction('ep_1', (cur) => ({ ...cur, ack: { by: ana, at: 1 } }), 1);
    // The Ack commits after the reconciler decided to close, just before it records the close.
    const racing: ThreadStore = Object.assign(Object.create(store) as ThreadStore, {
      saveInteraction: async (...args: Parameters<ThreadStore['saveInteraction']>) => {
        await ack();
        return store.saveInteraction(...args);
      },
      updateInteraction: async (...args: Parameters<ThreadStore['updateInteraction']>) => {
        await ack();
        return store.updateInteraction(...args);
      },
    });
    expect((await reconciler({ store: racing, confirmMs: 0 }).runOnce()).closed).toEqual(['ep_1']);
    expect((await store.getThread('ep_1'))?.interaction).toEqual({
      ack: { by: ana, at: 1 },
      reconciledAt: clock.now(),
    });
  });

  it('runs on one replica at a time: the one holding the reconciler lease', async () => {
    await open('ep_1');
    // SQLite grants every lease (one process); here two replicas share one lease table.
    const holders = new Map<string, { owner: string; until: number }>();
    const shared: ThreadStore = Object.assign(Object.create(store) as ThreadStore, {
      holdLeases: async (names: string[], h: LeaseHolder) =>
        names.filter((n) => {
          const cur = holders.get(n);
          if (cur && cur.owner !== h.owner && cur.until > h.now) return false;
          holders.set(n, { owner: h.owner, until: h.now + h.ttlMs });
          return true;
        }),
    });
    const a = reconciler({ store: shared, owner: 'replica-a', confirmMs: 0 });
    const b = reconciler({ store: shared, owner: 'replica-b', confirmMs: 0 });
    const am = amAt(episode().externalURL);
    am.alerts = [reported(Object.keys(episode().alerts)[0] as string)];
    expect((await a.runOnce()).leader).toBe(true);
    expect(await b.runOnce()).toMatchObject({ leader: false, checked: 0 });
    expect(am.asked).toBe(1);
    // replica-a stops renewing (died): after the lease, replica-b takes over.
    await clock.advance(2 * MIN + 30_001);
    expect((await b.runOnce()).leader).toBe(true);
    expect((await a.runOnce()).leader).toBe(false);
  });
});
