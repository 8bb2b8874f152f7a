import { describe, expect, it } from 'vitest';
import { episode } from '../../test/helpers/builders.js';
import {
  DEFAULT_STORM_POLICY,
  decideStorm,
  digestEntry,
  digestOf,
  digestReply,
  type StormPolicy,
  type StormState,
} from './storm.js';

const policy: StormPolicy = { enabled: true, maxNewThreads: 10, windowMs: 60_000, exitAtOrBelow: 5 };
const storm: StormState = { digestId: 'digest:C1:1', startedAt: 0 };

describe('decideStorm', () => {
  it.each<[string, number, StormState | null, Partial<StormPolicy>, ReturnType<typeof decideStorm>]>([
    ['a quiet channel stays normal', 3, null, {}, { mode: 'normal' }],
    ['demand exactly at the budget still gets its own thread', 10, null, {}, { mode: 'normal' }],
    ['the first thread over the budget starts a storm', 11, null, {}, { mode: 'storm', change: 'started' }],
    ['a storm goes on while demand stays above the exit level', 6, storm, {}, { mode: 'storm' }],
    [
      'a storm does not end the moment demand dips under the budget (hysteresis)',
      9,
      storm,
      {},
      { mode: 'storm' },
    ],
    ['a storm ends once demand falls to the exit level', 5, storm, {}, { mode: 'normal', change: 'ended' }],
    ['a storm ends when nothing new fired for a window', 0, storm, {}, { mode: 'normal', change: 'ended' }],
    ['with the digest turned off no storm ever starts', 500, null, { enabled: false }, { mode: 'normal' }],
    [
      'turning the digest off ends a running storm',
      500,
      storm,
      { enabled: false },
      { mode: 'normal', change: 'ended' },
    ],
  ])('%s', (_name, demand, state, over, expected) => {
    expect(decideStorm(demand, state, 1_000, { ...policy, ...over })).toEqual(expected);
  });

  it('ships a budget of 10 new threads per minute, ending at 5', () => {
    expect(DEFAULT_STORM_POLICY).toEqual(policy);
  });
});

describe('digest rows and replies', () => {
  it('a row tells the group, its severity, its counts and since when it fires', () => {
    const ep = episode({ id: 'ep_1', notificationCount: 3 });
    expect(digestEntry(ep)).toEqual({
      threadId: 'ep_1',
      title: 'HighErrorRate',
      severity: 'critical',
      firing: 1,
      resolved: 0,
      status: 'firing',
      since: expect.any(Number),
      version: 3,
    });
  });

  it('a reply names the group it tells about', () => {
    const r = digestReply(episode({ id: 'ep_1' }), { kind: 'still_firing', firing: 1 });
    expect(r.member).toMatchObject({ threadId: 'ep_1', title: 'HighErrorRate', severity: 'critical' });
  });

  it('an episode knows its digest only once the storm stage put it there', () => {
    expect(digestOf(episode())).toBeUndefined();
    expect(digestOf(null)).toBeUndefined();
    expect(digestOf({ ...episode(), digest: { id: 'digest:C1:1' } } as never)).toBe('digest:C1:1');
  });
});
