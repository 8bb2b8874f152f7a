import type { DeployStore } from '../store/deploy-types.js';
import type { ThreadStore } from '../store/types.js';
import { ChangePoller, observeStore } from './change-feed.js';
import { deployFingerprint } from './deploy-feed.js';
import { LiveEvents, realTimers, type Timers } from './live-events.js';

export interface LiveFeed {
  events: LiveEvents;
  /** The store to hand to everything else: its writes become live events. */
  observe(store: ThreadStore): ThreadStore;
  /** The deploy records serve reads (deploys.stateDb): changes become `deploy` events while a page is open. */
  watchDeploys(store: Pick<DeployStore, 'list' | 'events'>): void;
}

/**
 * The dashboard's live updates, wired once in the composition root: this process's store writes
 * are told at once; the guard lock file and other replicas' writes are polled while a page is open.
 */
export function createLiveFeed(opts: {
  guardFile(): string | undefined;
  now(): number;
  heartbeatMs?: number;
  pollMs?: number;
  timers?: Timers;
}): LiveFeed {
  let observed: ThreadStore | undefined;
  let poller: ChangePoller | undefined;
  let deploys: (() => Promise<string>) | undefined;
  const events = new LiveEvents({
    heartbeatMs: opts.heartbeatMs,
    timers: opts.timers,
    onActive: (active) => (active ? poller?.start() : poller?.stop()),
  });
  return {
    events,
    observe(store) {
      observed = observeStore(store, (e) => events.publish(e));
      poller = new ChangePoller({
        guardFile: opts.guardFile,
        storeFingerprint: async () => {
          const s = await (observed as ThreadStore).stats(opts.now());
          return [s.threads, s.openThreads, s.pendingNotifications, s.outboxDepth, s.deadItems].join(':');
        },
        deployFingerprint: () => (deploys ? deploys() : Promise.resolve('none')),
        publish: (e) => events.publish(e),
        intervalMs: opts.pollMs,
        timers: opts.timers ?? realTimers,
      });
      return observed;
    },
    watchDeploys(store) {
      deploys = deployFingerprint(store);
    },
  };
}
