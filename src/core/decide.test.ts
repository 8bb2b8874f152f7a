import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { episodeId, groupStatus } from './thread-key.js';
import type {
  Alert,
  AlertStatus,
  Decision,
  DecisionReason,
  EpisodeState,
  Notification,
  NotificationReason,
  ThreadAction,
  ThreadPolicy,
} from './types.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const KEY = 'group:team-a/{}:{alertname="HighErrorRate"}';
const POLICY: ThreadPolicy = { reopenWindowMs: 0, duplicateWindowMs: MIN, replyOnRepeat: false };

function alert(fingerprint: string, status: AlertStatus, annotations: Record<string, string> = {}): Alert {
  return {
    status,
    labels: { alertname: 'HighErrorRate', instance: fingerprint },
    annotations: { summary: `errors on ${fingerprint}`, ...annotations },
    startsAt: '2026-11-26T10:00:00Z',
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-26T11:00:00Z',
    generatorURL: 'http://prometheus/graph',
    fingerprint,
  };
}
const fire = (fp: string, annotations?: Record<string, string>): Alert => alert(fp, 'firing', annotations);
const resolve = (fp: string): Alert => alert(fp, 'resolved');

/** One notification arriving at `at` ms. Group status follows the alerts unless given. */
interface Step {
  at: number;
  alerts: Alert[];
  status?: AlertStatus;
  truncated?: number;
  reason?: NotificationReason;
  wholeGroup?: boolean;
  channel?: string;
}

function notification(step: Step): Notification {
  const n: Notification = {
    version: '4',
    groupKey: '{}:{alertname="HighErrorRate"}',
    truncatedAlerts: step.truncated ?? 0,
    status: step.status ?? groupStatus(step.alerts),
    receiver: 'team-a',
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: { alertname: 'HighErrorRate' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager',
    alerts: step.alerts,
  };
  if (step.reason) n.notificationReason = step.reason;
  return n;
}

/** Feeds a timeline through decide(), each decision's `next` becoming the next `prev`. */
function play(
  steps: Step[],
  policy: ThreadPolicy = POLICY,
): { decisions: Decision[]; prevs: (EpisodeState | null)[] } {
  let prev: EpisodeState | null = null;
  const decisions: Decision[] = [];
  const prevs: (EpisodeState | null)[] = [];
  for (const step of steps) {
    const part = { threadKey: KEY, wholeGroup: step.wholeGroup ?? true, notification: notification(step) };
    prevs.push(prev);
    const snapshot = structuredClone(prev);
    const d = decide(prev, part, { channel: step.channel ?? 'C1', now: step.at, policy });
    expect(prev, 'decide() must not change the state it was given').toEqual(snapshot);
    decisions.push(d);
    prev = d.next;
  }
  return { decisions, prevs };
}
const last = <T>(xs: T[]): T => xs[xs.length - 1] as T;

/** Actions as short sentences, so a table row reads like the Slack thread it produces. */
function describeAction(a: ThreadAction): string {
  if (a.type !== 'reply') return a.type;
  const c = a.change;
  switch (c.kind) {
    case 'firing':
      return `reply firing ${c.alerts.map((x) => x.fingerprint).join(',')}`;
    case 'resolved':
      return `reply resolved ${c.alerts.map((x) => x.fingerprint).join(',')} (still ${c.stillFiring})`;
    case 'all_resolved':
      return `reply all_resolved ${c.alerts.map((x) => x.fingerprint).join(',')} after ${c.durationMs / MIN} min`;
    case 'still_firing':
      return `reply still_firing ${c.firing}`;
    case 'reopened':
      return `reply reopened ${c.alerts.map((x) => x.fingerprint).join(',')} (#${c.reopenCount})`;
  }
}

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

/** Reads the state after a timeline as the parent message would show it. */
function view(state: EpisodeState | null) {
  if (!state) return null;
  return {
    seq: state.seq,
    status: state.status,
    channel: state.channel,
    firing: Object.values(state.alerts)
      .filter((a) => a.status === 'firing')
      .map((a) => a.fingerprint),
    resolved: Object.values(state.alerts)
      .filter((a) => a.status === 'resolved')
      .map((a) => a.fingerprint),
    truncatedAlerts: state.truncatedAlerts,
    notificationCount: state.notificationCount,
    lastNotifiedAt: state.lastNotifiedAt,
  };
}

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
