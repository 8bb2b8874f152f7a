import { describe, expect, it } from 'vitest';
import { part } from '../../test/helpers/builders.js';
import { StoreUnavailableError } from '../errors.js';
import type { NewNotification } from '../store/types.js';
import { AppendBatcher } from './append-batcher.js';

const item = (threadKey: string): NewNotification => ({
  threadKey,
  channel: 'C',
  receivedAt: 1,
  part: part(),
});

describe('AppendBatcher', () => {
  it('appends requests of one loop turn in one call and hands each its own ids', async () => {
    const calls: string[][] = [];
    let next = 1;
    const b = new AppendBatcher({
      appendNotifications: async (items) => {
        calls.push(items.map((i) => i.threadKey));
        return items.map(() => next++);
      },
    });
    const [a, c] = await Promise.all([
      b.appendNotifications([item('a1'), item('a2')]),
      b.appendNotifications([item('c1')]),
    ]);
    expect(calls).toEqual([['a1', 'a2', 'c1']]);
    expect(a).toEqual([1, 2]);
    expect(c).toEqual([3]);
    expect(await b.appendNotifications([item('d')])).toEqual([4]);
    expect(calls).toHaveLength(2);
  });

  it('fails every request of the batch when the store fails, and recovers for the next', async () => {
    let fail = true;
    const b = new AppendBatcher({
      appendNotifications: async (items) => {
        if (fail) throw new StoreUnavailableError('store: disk I/O error');
        return items.map((_, i) => i + 1);
      },
    });
    const results = await Promise.allSettled([
      b.appendNotifications([item('a')]),
      b.appendNotifications([item('b')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await b.appendNotifications([item('c')])).toEqual([1]);
  });
});
