import { describe, expect, it } from 'vitest';
import type { DecisionReason, NotificationReason, ThreadPolicy } from './types.js';
import {
  describeAction,
  fire,
  HOUR,
  last,
  MIN,
  play,
  POLICY,
  resolve,
  type Step,
} from './decide-timeline.test-suite.js';

interface Case {
  name: string;
  steps: Step[];
  policy?: Partial<ThreadPolicy>;
  reason: DecisionReason;
  actions: string[];
  /** The reason Alertmanager ≥ 0.32 would send with the last step, for the with/without comparison. */
  amReason?: NotificationReason;
}

const cases: Case[] = [
  {
    name: 'the first firing notification posts a parent',
    steps: [{ at: 0, alerts: [fire('f1')] }],
    reason: 'first notification',
    actions: ['post_parent'],
    amReason: 'first notification',
  },
  {
    name: 'a new alert in the group is announced in a reply and the parent is edited',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 5 * MIN, alerts: [fire('f1'), fire('f2')] },
    ],
    reason: 'new alerts added',
    actions: ['reply firing f2', 'update_parent'],
    amReason: 'new alerts added',
  },
  {
    name: 'a resolved alert inside a firing group is announced with the count still firing',
    steps: [
      { at: 0, alerts: [fire('f1'), fire('f2'), fire('f3')] },
      { at: 5 * MIN, alerts: [fire('f1'), resolve('f2'), fire('f3')], status: 'firing' },
    ],
    reason: 'some alerts resolved',
    actions: ['reply resolved f2 (still 2)', 'update_parent'],
    amReason: 'some alerts resolved',
  },
  {
    name: 'the last alert resolving closes the episode with its duration',
    steps: [
      { at: 0, alerts: [fire('f1'), fire('f2')] },
      { at: 5 * MIN, alerts: [fire('f1'), resolve('f2')] },
      { at: 30 * MIN, alerts: [resolve('f1'), resolve('f2')] },
    ],
    reason: 'all alerts resolved',
    actions: ['reply all_resolved f1 after 30 min', 'update_parent'],
    amReason: 'all alerts resolved',
  },
  {
    name: 'a repeat with no change after the duplicate window only edits the parent',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 4 * HOUR, alerts: [fire('f1')] },
    ],
    reason: 'repeat interval elapsed',
    actions: ['update_parent'],
    amReason: 'repeat interval elapsed',
  },
  {
    name: 'a repeat also replies "still firing" when the policy asks for it',
    steps: [
      { at: 0, alerts: [fire('f1'), fire('f2')] },
      { at: 4 * HOUR, alerts: [fire('f1'), fire('f2')] },
    ],
    policy: { replyOnRepeat: true },
    reason: 'repeat interval elapsed',
    actions: ['reply still_firing 2', 'update_parent'],
    amReason: 'repeat interval elapsed',
  },
  {
    name: 'the same notification again inside the duplicate window does nothing',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 20_000, alerts: [fire('f1')] },
    ],
    reason: 'duplicate',
    actions: [],
    amReason: 'first notification',
  },
  {
    name: 'a group firing again after it resolved opens a new episode',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 10 * MIN, alerts: [resolve('f1')] },
      { at: HOUR, alerts: [fire('f1')] },
    ],
    reason: 'fired again',
    actions: ['post_parent'],
    amReason: 'first notification',
  },
  {
    name: 'a group firing again inside the reopen window reuses its thread',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 10 * MIN, alerts: [resolve('f1')] },
      { at: 15 * MIN, alerts: [fire('f1')] },
    ],
    policy: { reopenWindowMs: 10 * MIN },
    reason: 'reopened',
    actions: ['reply reopened f1 (#1)', 'update_parent'],
    amReason: 'first notification',
  },
  {
    name: 'firing again exactly at the end of the reopen window still reopens',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 10 * MIN, alerts: [resolve('f1')] },
      { at: 20 * MIN, alerts: [fire('f1')] },
    ],
    policy: { reopenWindowMs: 10 * MIN },
    reason: 'reopened',
    actions: ['reply reopened f1 (#1)', 'update_parent'],
  },
  {
    name: 'firing again after the reopen window opens a new episode',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 10 * MIN, alerts: [resolve('f1')] },
      { at: 20 * MIN + 1, alerts: [fire('f1')] },
    ],
    policy: { reopenWindowMs: 10 * MIN },
    reason: 'fired again',
    actions: ['post_parent'],
  },
  {
    name: 'a resolve for alerts never seen firing is ignored',
    steps: [{ at: 0, alerts: [resolve('f1')] }],
    reason: 'ignored',
    actions: [],
    amReason: 'all alerts resolved',
  },
  {
    name: 'a resolve for unknown alerts after an episode closed is ignored',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 10 * MIN, alerts: [resolve('f1')] },
      { at: HOUR, alerts: [resolve('f9')] },
    ],
    reason: 'ignored',
    actions: [],
  },
  {
    name: 'a resolve re-sent a day later is a duplicate, never a second announcement',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 10 * MIN, alerts: [resolve('f1')] },
      { at: 24 * HOUR, alerts: [resolve('f1')] },
    ],
    reason: 'duplicate',
    actions: [],
    amReason: 'all alerts resolved',
  },
  {
    name: 'new alerts and resolved alerts in one notification give two replies, firing first',
    steps: [
      { at: 0, alerts: [fire('f1'), fire('f2')] },
      { at: 5 * MIN, alerts: [resolve('f1'), fire('f2'), fire('f3')] },
    ],
    reason: 'new alerts added',
    actions: ['reply firing f3', 'reply resolved f1 (still 2)', 'update_parent'],
    amReason: 'new alerts added',
  },
  {
    name: 'an alert that resolved and fires again inside the open episode is announced as firing',
    steps: [
      { at: 0, alerts: [fire('f1'), fire('f2')] },
      { at: 5 * MIN, alerts: [fire('f1'), resolve('f2')] },
      { at: 10 * MIN, alerts: [fire('f1'), fire('f2')] },
    ],
    reason: 'new alerts added',
    actions: ['reply firing f2', 'update_parent'],
    amReason: 'new alerts added',
  },
  {
    name: 'a resolved alert the open episode never saw firing changes nothing',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 30_000, alerts: [fire('f1'), resolve('f9')] },
    ],
    reason: 'duplicate',
    actions: [],
  },
  {
    name: 'a group resolved as a whole also resolves the alerts truncated away',
    steps: [
      { at: 0, alerts: [fire('f1'), fire('f2')], truncated: 1 },
      { at: 5 * MIN, alerts: [fire('f1'), fire('f3')], truncated: 1 },
      { at: 30 * MIN, alerts: [resolve('f3')], truncated: 2 },
    ],
    reason: 'all alerts resolved',
    actions: ['reply all_resolved f3,f1,f2 after 30 min', 'update_parent'],
    amReason: 'all alerts resolved',
  },
  {
    name: 'a resolved split part leaves the alerts it does not carry as they were',
    steps: [
      { at: 0, alerts: [fire('f1'), fire('f2')], wholeGroup: false },
      { at: 5 * MIN, alerts: [resolve('f1')], wholeGroup: false },
    ],
    reason: 'some alerts resolved',
    actions: ['reply resolved f1 (still 1)', 'update_parent'],
  },
  {
    name: 'a change in the truncated count alone edits the parent',
    steps: [
      { at: 0, alerts: [fire('f1')], truncated: 5 },
      { at: 20_000, alerts: [fire('f1')], truncated: 8 },
    ],
    reason: 'new alerts added',
    actions: ['update_parent'],
    amReason: 'new alerts added',
  },
  {
    name: 'a falling truncated count alone is read as some alerts resolved',
    steps: [
      { at: 0, alerts: [fire('f1')], truncated: 5 },
      { at: 20_000, alerts: [fire('f1')], truncated: 2 },
    ],
    reason: 'some alerts resolved',
    actions: ['update_parent'],
    amReason: 'some alerts resolved',
  },
  {
    name: "a lagging HA peer's older firing copy arriving after the resolve is a duplicate, not a new thread",
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 5 * MIN, alerts: [resolve('f1')] },
      { at: 5 * MIN + 20_000, alerts: [fire('f1')] },
    ],
    reason: 'duplicate',
    actions: [],
  },
  {
    name: 'an older firing copy of an alert that already resolved inside an open group changes nothing',
    steps: [
      { at: 0, alerts: [fire('f1'), fire('f2')] },
      { at: 5 * MIN, alerts: [resolve('f1'), fire('f2')] },
      { at: 5 * MIN + 20_000, alerts: [fire('f1'), fire('f2')] },
    ],
    reason: 'duplicate',
    actions: [],
  },
  {
    name: 'a real re-fire carries a new startsAt and opens a new thread even right after the resolve',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 5 * MIN, alerts: [resolve('f1')] },
      { at: 5 * MIN + 20_000, alerts: [{ ...fire('f1'), startsAt: '2026-11-26T10:05:20Z' }] },
    ],
    reason: 'fired again',
    actions: ['post_parent'],
  },
  {
    name: 'the same startsAt firing again after the duplicate window is believed and opens a new thread',
    steps: [
      { at: 0, alerts: [fire('f1')] },
      { at: 5 * MIN, alerts: [resolve('f1')] },
      { at: 7 * MIN, alerts: [fire('f1')] },
    ],
    reason: 'fired again',
    actions: ['post_parent'],
  },
];

function withReason(steps: Step[], reason: NotificationReason | undefined): Step[] {
  return steps.map((s, i) => (i === steps.length - 1 ? { ...s, reason } : s));
}

describe('decide: what each notification does to the thread', () => {
  it.each(cases)('$name', ({ steps, policy, reason, actions }) => {
    const d = last(play(steps, { ...POLICY, ...policy }).decisions);
    expect(d.reason).toBe(reason);
    expect(d.actions.map(describeAction)).toEqual(actions);
  });

  it('covers every decision reason', () => {
    const all: DecisionReason[] = [
      'first notification',
      'new alerts added',
      'some alerts resolved',
      'all alerts resolved',
      'repeat interval elapsed',
      'duplicate',
      'fired again',
      'reopened',
      'ignored',
    ];
    expect(new Set(cases.map((c) => c.reason))).toEqual(new Set(all));
  });

  it.each(cases.filter((c) => c.amReason))(
    'Alertmanager sending its reason changes nothing: $name',
    ({ steps, policy, amReason }) => {
      const without = last(play(steps, { ...POLICY, ...policy }).decisions);
      const withIt = last(play(withReason(steps, amReason), { ...POLICY, ...policy }).decisions);
      expect(withIt).toEqual(without);
    },
  );
});

describe('decide: Alertmanager notification_reason', () => {
  it.each<{ name: string; steps: Step[]; reason: DecisionReason }>([
    {
      name: 'a reason that contradicts the stored state is replaced by the derived one',
      steps: [
        { at: 0, alerts: [fire('f1')] },
        { at: 5 * MIN, alerts: [fire('f1'), fire('f2')], reason: 'first notification' },
      ],
      reason: 'new alerts added',
    },
    {
      name: 'either reason is believed when alerts both fire and resolve',
      steps: [
        { at: 0, alerts: [fire('f1'), fire('f2')] },
        { at: 5 * MIN, alerts: [resolve('f1'), fire('f2'), fire('f3')], reason: 'some alerts resolved' },
      ],
      reason: 'some alerts resolved',
    },
    {
      name: 'a claimed change that is not there is still a duplicate inside the window',
      steps: [
        { at: 0, alerts: [fire('f1')] },
        { at: 10_000, alerts: [fire('f1')], reason: 'new alerts added' },
      ],
      reason: 'duplicate',
    },
    {
      name: 'a claimed change that is not there is a repeat after the window',
      steps: [
        { at: 0, alerts: [fire('f1')] },
        { at: 4 * HOUR, alerts: [fire('f1')], reason: 'new alerts added' },
      ],
      reason: 'repeat interval elapsed',
    },
  ])('$name', ({ steps, reason }) => {
    expect(last(play(steps).decisions).reason).toBe(reason);
  });
});
