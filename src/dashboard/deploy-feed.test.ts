import { afterEach, describe, expect, it } from 'vitest';
import { openDeployStore } from '../store/deploy-sqlite.js';
import type { DeployStoreWithControls } from '../store/deploy-types.js';
import { ChangePoller } from './change-feed.js';
import { deployFingerprint } from './deploy-feed.js';
import { canaryDeploy } from './deploy-fixtures.test-suite.js';
import type { DashboardEvent, Timers } from './live-events.js';

const noTimers: Timers = {
  setTimeout: () => 0,
  clearTimeout: () => undefined,
  setInterval: () => 0,
  clearInterval: () => undefined,
};

describe('the deploy records, watched by the ChangePoller', () => {
  let store: DeployStoreWithControls;
  afterEach(async () => store?.close());

  it('reports a new deploy, an event in a running one and its end — and nothing while nothing changes', async () => {
    store = await openDeployStore(':memory:');
    const events: DashboardEvent[] = [];
    const poller = new ChangePoller({
      guardFile: () => undefined,
      storeFingerprint: async () => 'same',
      deployFingerprint: deployFingerprint(store),
      publish: (e) => events.push(e),
      timers: noTimers,
    });
    await poller.poll(true);
    await poller.poll();
    expect(events).toEqual([]);

    const f = canaryDeploy({ ending: 'running' });
    await store.create(f.record);
    await poller.poll();
    expect(events).toEqual([{ type: 'deploy' }]);
    await poller.poll();
    expect(events).toHaveLength(1);

    // Written by `threader deploy` without touching the record: still news for the detail page.
    const first = f.events[0] as (typeof f.events)[number];
    await store.appendEvent(f.record.id, first.event, first.at);
    await poller.poll();
    expect(events).toHaveLength(2);

    await store.update(f.record.id, { status: 'succeeded', finishedAt: first.at + 1 });
    await poller.poll();
    await poller.poll();
    expect(events).toEqual([{ type: 'deploy' }, { type: 'deploy' }, { type: 'deploy' }]);
  });
});
