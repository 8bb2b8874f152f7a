import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ThreadStore } from '../store/types.js';
import { ChangePoller, observeStore } from './change-feed.js';
import type { DashboardEvent, Timers } from './live-events.js';

const noTimers: Timers = {
  setTimeout: () => 0,
  clearTimeout: () => undefined,
  setInterval: () => 0,
  clearInterval: () => undefined,
};

function fakeStore() {
  const calls: string[] = [];
  const store = {
    kind: 'fake',
    async completeOutbox(id: number) {
      calls.push(`complete ${id}`);
    },
    async commitDecisions(ds: unknown[]) {
      return ds.map(() => true);
    },
    async listThreads() {
      return [];
    },
    async failOutbox() {
      throw new Error('store down');
    },
  };
  return { store: store as unknown as ThreadStore, calls };
}

describe('observeStore', () => {
  it('tells which thread got a message once the write succeeded', async () => {
    const { store, calls } = fakeStore();
    const events: DashboardEvent[] = [];
    const s = observeStore(store, (e) => events.push(e));
    await s.completeOutbox(7, { threadId: 'ep_1' } as never);
    expect(calls).toEqual(['complete 7']);
    expect(events).toEqual([{ type: 'message', threadId: 'ep_1' }]);
  });

  it('tells each decided episode, and returns what the store returned', async () => {
    const { store } = fakeStore();
    const events: DashboardEvent[] = [];
    const s = observeStore(store, (e) => events.push(e));
    const res = await s.commitDecisions([{ episode: { id: 'ep_a' } }, { episode: null }] as never);
    expect(res).toEqual([true, true]);
    expect(events).toEqual([{ type: 'thread', threadId: 'ep_a' }, { type: 'threads' }]);
  });

  it('tells nothing about reads or failed writes, and passes the failure on', async () => {
    const { store } = fakeStore();
    const events: DashboardEvent[] = [];
    const s = observeStore(store, (e) => events.push(e));
    await s.listThreads({});
    await expect(s.failOutbox(1, { dead: true } as never)).rejects.toThrow('store down');
    expect(events).toEqual([]);
    expect(s.kind).toBe('fake');
    expect(typeof s.toString()).toBe('string');
  });
});

describe('ChangePoller', () => {
  it('reports a guard lock taken, replaced and removed — but not the state it started from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dash-poll-'));
    const file = join(dir, 'qos.guard');
    const events: DashboardEvent[] = [];
    const poller = new ChangePoller({
      guardFile: () => file,
      storeFingerprint: async () => 'same',
      publish: (e) => events.push(e),
      timers: noTimers,
    });
    await poller.poll(true);
    await poller.poll();
    expect(events).toEqual([]);
    writeFileSync(file, '{}');
    await poller.poll();
    writeFileSync(join(dir, 'tmp'), '{}');
    renameSync(join(dir, 'tmp'), file);
    await poller.poll();
    expect(events).toEqual([{ type: 'guard' }, { type: 'guard' }]);
  });

  it('reports a change in the store counts (another replica wrote)', async () => {
    let fingerprint = '1';
    const events: DashboardEvent[] = [];
    const poller = new ChangePoller({
      guardFile: () => undefined,
      storeFingerprint: async () => fingerprint,
      publish: (e) => events.push(e),
      timers: noTimers,
    });
    await poller.poll(true);
    fingerprint = '2';
    await poller.poll();
    expect(events).toEqual([{ type: 'threads' }]);
  });
});
