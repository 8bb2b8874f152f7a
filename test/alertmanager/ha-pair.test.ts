import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  amAlert,
  startAlertmanager,
  until,
  waitForCluster,
  type Alertmanager,
} from '../helpers/alertmanager.js';
import { stopAll } from '../helpers/process.js';
import { startThreader, type TestThreader } from '../helpers/threader.js';

/**
 * Alertmanager HA peers send the same notification on purpose (protocol: each peer waits
 * peer-index × peer_timeout, then sends unless gossip told it the other one did). With a zero
 * peer timeout both send: the copies must make one thread, not two.
 */
describe('an HA pair of real Alertmanagers', () => {
  let t: TestThreader;
  let am: Alertmanager;
  beforeAll(async () => {
    t = await startThreader();
    am = await startAlertmanager({
      webhookUrl: `${t.url}/webhook/alertmanager`,
      peers: 2,
      peerTimeout: '0s',
    });
    await waitForCluster(am);
  });
  afterAll(async () => {
    await am?.stop();
    await t?.close();
    await stopAll();
  });

  const metric = async (url: string, re: RegExp) => {
    const m = re.exec(await (await fetch(url)).text());
    return m ? Number(m[1]) : 0;
  };
  const sentByPeers = async () => {
    let sum = 0;
    for (const u of am.urls)
      sum += await metric(`${u}/metrics`, /alertmanager_notifications_total\{integration="webhook"\} (\d+)/);
    return sum;
  };
  const accepted = () =>
    metric(`${t.url}/metrics`, /threader_webhooks_received_total\{outcome="accepted"\} (\d+)/);

  it('every copy the peers send is accepted, and they make exactly one thread', async () => {
    await am.push([amAlert({ alertname: 'HaProbe', severity: 'critical', instance: 'edge-1' })]);
    // With peer_timeout 0s both peers send at once: the threader gets the group twice.
    await until(async () => (await accepted()) >= 2, { timeoutMs: 15_000, what: 'both copies' });
    await until(async () => (await sentByPeers()) === (await accepted()), {
      what: 'peers and threader agree',
    });
    await t.app.settle();

    const copies = await accepted();
    expect(copies).toBeGreaterThanOrEqual(2);
    expect(t.emu.messages('C_ALERTS').filter((m) => !m.thread_ts)).toHaveLength(1);
    expect(t.emu.messages('C_ALERTS')).toHaveLength(1);
    expect(await metric(`${t.url}/metrics`, /threader_duplicates_dropped_total (\d+)/)).toBe(copies - 1);
  });
});
