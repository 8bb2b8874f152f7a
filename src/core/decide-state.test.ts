import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { episodeId } from './thread-key.js';
import type { EpisodeState, ThreadPolicy } from './types.js';
import {
  describeAction,
  fire,
  HOUR,
  KEY,
  last,
  MIN,
  notification,
  play,
  POLICY,
  resolve,
  view,
  type Step,
} from './decide-timeline.test-suite.js';

interface StateCase {
  name: string;
  steps: Step[];
  policy?: Partial<ThreadPolicy>;
  expected: Partial<NonNullable<ReturnType<typeof view>>>;
}

const stateCases: StateCase[] = [
  {
    name: 'a resolved alert inside a firing group stays resolved through later repeats',
    steps: [
      { at: 0, alerts: [fire('f1'), fire('f2')] },
      { at: 5 * MIN, alerts: [fire('f1'), resolve('f2')], status: 'firing' },
      { at: 4 * HOUR, alerts: [fire('f1'), resolve('f2')], status: 'firing' },
    ],
    expected: { status: 'firing', firing: ['f1'], resolved: ['f2'], notificationCount: 3 },
  },
  {
    name: 'alerts absent from a notification keep their remembered state',
    steps: [
      { at: 0, alerts: [fire('f1'), fire('f2')], truncated: 0 },
      { at: 4 * HOUR, alerts: [fire('f1')], truncated: 1 },
    ],
    expected: { firing: ['f1', 'f2'], resolved: [], truncatedAlerts: 1 },
  },
  {
    name: 'a resolved alert the open episode never saw firing is not remembered',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 4 * HOUR, alerts: [fire('f1'), resolve('f9')] },
    ],
    expected: { firing: ['f1'], resolved: [] },
  },
  {
    name: 'a new episode does not take over resolved alerts riding along with the firing ones',
    steps: [
      { at: 0, alerts: [fire('f1'), fire('f2')] },
      { at: 10 * MIN, alerts: [resolve('f1'), resolve('f2')] },
      { at: HOUR, alerts: [fire('f1'), resolve('f2')] },
    ],
    expected: { seq: 2, firing: ['f1'], resolved: [], notificationCount: 1 },
  },
  {
    name: 'the truncated count is kept on the episode',
    steps: [{ at: 0, alerts: [fire('f1')], truncated: 12 }],
    expected: { truncatedAlerts: 12 },
  },
  {
    name: 'the last alert resolving leaves the episode resolved with every alert resolved',
    steps: [
      { at: 0, alerts: [fire('f1'), fire('f2')] },
      { at: 30 * MIN, alerts: [resolve('f1'), resolve('f2')] },
    ],
    expected: { status: 'resolved', firing: [], resolved: ['f1', 'f2'], lastNotifiedAt: 30 * MIN },
  },
  {
    name: 'a stream of duplicates cannot extend the duplicate window',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 40_000, alerts: [fire('f1')] },
      { at: 80_000, alerts: [fire('f1')] },
    ],
    expected: { notificationCount: 2, lastNotifiedAt: 80_000 },
  },
  {
    name: 'an open episode stays in its channel when routing later points elsewhere',
    steps: [
      { at: 0, alerts: [fire('f1')], channel: 'C1' },
      { at: 5 * MIN, alerts: [fire('f1'), fire('f2')], channel: 'C2' },
    ],
    expected: { channel: 'C1' },
  },
  {
    name: 'a new episode goes to the channel routing chooses now',
    steps: [
      { at: 0, alerts: [fire('f1')], channel: 'C1' },
      { at: 5 * MIN, alerts: [resolve('f1')], channel: 'C1' },
      { at: HOUR, alerts: [fire('f1')], channel: 'C2' },
    ],
    expected: { seq: 2, channel: 'C2' },
  },
];

describe('decide: what the episode remembers', () => {
  it.each(stateCases)('$name', ({ steps, policy, expected }) => {
    const d = last(play(steps, { ...POLICY, ...policy }).decisions);
    expect(view(d.next)).toMatchObject(expected);
  });

  it('an open episode is only closed by a resolve it sees, not by a count change', () => {
    const opened = last(play([{ at: 0, alerts: [fire('f1')], truncated: 1 }]).decisions).next as EpisodeState;
    const holdingNothing: EpisodeState = { ...opened, alerts: {} };
    const part = { threadKey: KEY, wholeGroup: true, notification: notification({ at: HOUR, alerts: [] }) };
    const d = decide(holdingNothing, part, { channel: 'C1', now: HOUR, policy: POLICY });
    expect(d.next?.status).toBe('firing');
    expect(d.actions.map(describeAction)).toEqual(['update_parent']);
  });

  it('a duplicate hands back the previous state untouched', () => {
    const { decisions, prevs } = play([
      { at: 0, alerts: [fire('f1')] },
      { at: 10_000, alerts: [fire('f1')] },
    ]);
    expect(last(decisions).next).toBe(last(prevs));
  });

  it('ten copies of one notification post one parent and nothing else', () => {
    const copies = Array.from({ length: 10 }, (_, i) => ({ at: i * 100, alerts: [fire('f1'), fire('f2')] }));
    const { decisions } = play(copies);
    expect(decisions.flatMap((d) => d.actions.map(describeAction))).toEqual(['post_parent']);
    expect(decisions.slice(1).every((d) => d.reason === 'duplicate')).toBe(true);
  });

  it('the first annotations are kept while the latest ones change', () => {
    const { decisions } = play([
      { at: 0, alerts: [fire('f1', { value: '12%' })] },
      { at: 4 * HOUR, alerts: [fire('f1', { value: '15%' })] },
      { at: 5 * HOUR, alerts: [fire('f1', { value: '19%' }), fire('f2')] },
    ]);
    const memory = last(decisions).next?.alerts.f1;
    expect(memory?.firstAnnotations.value).toBe('12%');
    expect(memory?.annotations.value).toBe('19%');
  });

  it('a new episode after a resolve links to the one before and gets the next id', () => {
    const { decisions } = play([
      { at: 0, alerts: [fire('f1')], channel: 'C1' },
      { at: 10 * MIN, alerts: [resolve('f1')] },
      { at: HOUR, alerts: [fire('f1')], channel: 'C2' },
    ]);
    const [first, , again] = decisions;
    expect(first?.next?.id).toBe(episodeId(KEY, 1));
    expect(again?.next).toMatchObject({
      id: episodeId(KEY, 2),
      seq: 2,
      openedAt: HOUR,
      reopenCount: 0,
      previous: { id: episodeId(KEY, 1), channel: 'C1', seq: 1 },
    });
    expect(again?.next).not.toHaveProperty('resolvedAt');
    expect(again?.actions).toEqual([{ type: 'post_parent', episodeId: episodeId(KEY, 2) }]);
  });

  it('a reopened episode keeps its id and first-fired time, counts the reopen and is firing again', () => {
    const { decisions } = play(
      [
        { at: 0, alerts: [fire('f1')] },
        { at: 10 * MIN, alerts: [resolve('f1')] },
        { at: 12 * MIN, alerts: [fire('f1')] },
        { at: 14 * MIN, alerts: [resolve('f1')] },
        { at: 16 * MIN, alerts: [fire('f1')] },
      ],
      { ...POLICY, reopenWindowMs: 5 * MIN },
    );
    const next = last(decisions).next;
    expect(next).toMatchObject({
      id: episodeId(KEY, 1),
      seq: 1,
      status: 'firing',
      openedAt: 0,
      reopenCount: 2,
    });
    expect(next).not.toHaveProperty('resolvedAt');
    expect(next?.alerts.f1).not.toHaveProperty('resolvedAt');
    expect(last(decisions).actions.map(describeAction)).toEqual(['reply reopened f1 (#2)', 'update_parent']);
  });

  it('every action names the episode it belongs to', () => {
    const { decisions } = play([
      { at: 0, alerts: [fire('f1'), fire('f2')] },
      { at: 5 * MIN, alerts: [resolve('f1'), fire('f2'), fire('f3')] },
    ]);
    expect(last(decisions).actions.every((a) => a.episodeId === episodeId(KEY, 1))).toBe(true);
  });

  it('replies carry the small alert summary, in notification order', () => {
    const { decisions } = play([
      { at: 0, alerts: [fire('f1')] },
      { at: 5 * MIN, alerts: [fire('f3'), fire('f1'), fire('f2')] },
    ]);
    const reply = last(decisions).actions[0];
    expect(reply).toEqual({
      type: 'reply',
      episodeId: episodeId(KEY, 1),
      change: {
        kind: 'firing',
        alerts: [fire('f3'), fire('f2')].map(
          ({ fingerprint, status, labels, annotations, startsAt, endsAt, generatorURL }) => ({
            fingerprint,
            status,
            labels,
            annotations,
            startsAt,
            endsAt,
            generatorURL,
          }),
        ),
      },
    });
  });
});
