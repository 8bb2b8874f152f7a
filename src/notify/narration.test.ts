import { describe, expect, it } from 'vitest';
import { testRecord } from '../../test/deploy/fakes.js';
import { canarySteps } from '../deploy/executor-fixtures.test-suite.js';
import type { DeployEvent, DeployRecord } from '../deploy/types.js';
import type { Judgement } from '../metrics/evaluate.js';
import { beginStory, narrate, opening, parseAbort, type Story } from './narration.js';

const before = { versions: { a: 'v1', b: 'v1', c: 'v1', d: 'v1' }, weights: { a: 1, b: 1, c: 1, d: 1 } };
const record = testRecord(canarySteps, { fleetBefore: before });
const versions = { a: 'v1', b: 'v1', c: 'v1', d: 'v2' };
const failing: Judgement = {
  check: 'http_5xx_ratio',
  outcome: 'Failed',
  value: 0.2,
  values: [0.2],
  comparator: '<=',
  threshold: 0.01,
  noData: false,
  query: 'sum(rate(x[1m]))',
  message: '20% <= 1%',
  at: 0,
};

/** Plays events through narrate from a fresh story, returning the story and every reply type. */
function play(events: DeployEvent[], record_: DeployRecord | null = null, start?: Story) {
  let story = start ?? beginStory(record, 'deploy.yaml');
  const said: Array<Record<string, unknown>> = [];
  for (const e of events) {
    const out = narrate(story, e, { now: 60_000, record: record_ });
    story = out.story;
    said.push(...(out.replies as unknown as Array<Record<string, unknown>>));
  }
  return { story, said, types: said.map((r) => r.type) };
}

const started = (index: number): DeployEvent => ({
  type: 'step-started',
  deployId: 'd-1',
  index,
  step: canarySteps[index]!,
});
const finished = (index: number, detail?: string): DeployEvent => ({
  type: 'step-finished',
  deployId: 'd-1',
  index,
  step: canarySteps[index]!,
  ...(detail ? { detail } : {}),
});

describe('narrate', () => {
  const cases: Array<[string, DeployEvent[], string[]]> = [
    ['a step that starts only moves the card', [started(2)], []],
    [
      'a started instance is told once it is up',
      [started(2), finished(2, 'started d on v2')],
      ['stage-finished'],
    ],
    ['a passed health gate is told as such', [started(3), finished(3)], ['health-gate-passed']],
    [
      'a weight change is told once, by its weights-set event, not again when its step finishes',
      [
        started(4),
        {
          type: 'weights-set',
          deployId: 'd-1',
          weights: { a: 3, b: 3, c: 3, d: 1 },
          requestedPercent: 10,
          effectivePercent: 10,
          versions,
        },
        finished(4),
      ],
      ['weight-set'],
    ],
    [
      'an analysis is told once with its values',
      [
        started(5),
        { type: 'analysis', deployId: 'd-1', index: 5, outcome: 'Successful', judgements: [failing] },
        finished(5),
      ],
      ['analysis'],
    ],
    [
      'a failure is followed by the traffic going back, the rollback and the end',
      [
        started(5),
        {
          type: 'deploy-failed',
          deployId: 'd-1',
          failure: { step: 5, kind: 'analyse', message: 'bad', judgements: [failing], gate: true },
          rollbackCommand: 'threader rollback --config deploy.yaml --env production --to v1',
        },
        { type: 'weights-set', deployId: 'd-1', weights: before.weights, versions },
        { type: 'rollback-finished', deployId: 'd-1', guardLocked: true, guardFile: '/run/guard lock' },
        { type: 'deploy-finished', deployId: 'd-1', status: 'rolled-back' },
      ],
      ['failure', 'weight-set', 'rollback-finished', 'finished'],
    ],
    [
      'approval, pause and resume each have their reply',
      [
        { type: 'approval-requested', deployId: 'd-1', reason: 'production', timeoutAt: 1, index: 6 },
        { type: 'approved', deployId: 'd-1', by: 'slack:U0ALICE:alice' },
        { type: 'paused', deployId: 'd-1', by: 'bob' },
        { type: 'resumed', deployId: 'd-1', by: 'bob' },
      ],
      ['approval-requested', 'approved', 'paused', 'resumed'],
    ],
  ];
  it.each(cases)('%s', (_name, events, expected) => {
    expect(play(events).types).toEqual(expected);
  });

  it('the failure reply carries the failing check with value, threshold and query, and the rollback command', () => {
    const { said } = play([
      started(5),
      {
        type: 'deploy-failed',
        deployId: 'd-1',
        failure: { step: 5, kind: 'analyse', message: 'bad', judgements: [failing], gate: true },
        rollbackCommand: 'threader rollback --config deploy.yaml --env production --to v1',
      },
    ]);
    expect(said[0]).toMatchObject({
      type: 'failure',
      at: { number: 6, total: 7 },
      checks: [
        { check: 'http_5xx_ratio', value: 0.2, comparator: '<=', threshold: 0.01, query: 'sum(rate(x[1m]))' },
      ],
      rollbackCommand: 'threader rollback --config deploy.yaml --env production --to v1',
    });
    expect(said[0]?.rollingBack).toBe(
      'traffic goes back to v1 first (the fast path: no analysis), then d (on v2) stop; instances that ran v1 run it again.',
    );
  });

  it('the rollback reply names the guard file in the command that shows the lock', () => {
    const { said } = play([
      { type: 'rollback-finished', deployId: 'd-1', guardLocked: true, guardFile: '/run/guard lock' },
    ]);
    expect(said.at(-1)).toMatchObject({
      type: 'rollback-finished',
      guardLocked: true,
      guardStatusCommand: "THREADER_GUARD_FILE='/run/guard lock' threader guard status",
    });
  });

  it('an abort (a Reject in Slack) is told by who and why before the traffic goes back', () => {
    const aborted = testRecord(canarySteps, {
      status: 'rolling-back',
      failure: {
        step: 5,
        kind: 'analyse',
        message: 'aborted by slack:U0BOB:bob: rejected in Slack by @bob',
        aborted: true,
      },
    });
    const { said, story } = play(
      [
        started(5),
        { type: 'weights-set', deployId: 'd-1', weights: before.weights, versions: before.versions },
        { type: 'rollback-finished', deployId: 'd-1', guardLocked: false },
        { type: 'deploy-finished', deployId: 'd-1', status: 'aborted' },
      ],
      aborted,
    );
    expect(said.map((r) => r.type)).toEqual(['stopped', 'weight-set', 'rollback-finished', 'finished']);
    expect(said[0]).toMatchObject({ by: 'slack:U0BOB:bob', reason: 'rejected in Slack by @bob' });
    expect(story.card.status).toBe('aborted');
    expect(story.card.failure).toContain('rejected in Slack by @bob');
  });

  it('the commands in approval and pause replies name the deploy config', () => {
    const { said } = play([{ type: 'paused', deployId: 'd-1', by: 'plan' }]);
    expect(said[0]).toMatchObject({
      resumeCommand: 'threader resume d-1 --config deploy.yaml',
      abortCommand: 'threader abort d-1 --config deploy.yaml',
    });
  });
});

describe('parseAbort', () => {
  const cases: Array<[string, string, ReturnType<typeof parseAbort>]> = [
    [
      'a Slack presser and the reason',
      'aborted by slack:U0BOB:bob: rejected in Slack by @bob',
      { by: 'slack:U0BOB:bob', reason: 'rejected in Slack by @bob' },
    ],
    ['a terminal user without a reason', 'aborted by alice (SIGINT)', { by: 'alice (SIGINT)' }],
    ['anything else names nobody', 'approval timeout', {}],
  ];
  it.each(cases)('%s', (_name, message, expected) => {
    expect(parseAbort(message)).toEqual(expected);
  });
});

describe('a rollback says it is one', () => {
  const rollback = testRecord(canarySteps, {
    id: 'd-rb',
    fromVersion: 'v2.6',
    toVersion: 'v2',
    by: 'alice',
    reason: 'rollback to v2',
    rollbackOf: 'd-undone',
  });
  const end: DeployEvent = { type: 'deploy-finished', deployId: 'd-rb', status: 'succeeded' };
  const cases: Array<[string, DeployRecord, { rollback?: boolean }, boolean]> = [
    ['a record naming the deploy it undoes is a rollback', rollback, {}, true],
    [
      'a record threader rollback made says so itself, which a resume goes by',
      { ...rollback, rollbackOf: undefined, rollback: true, reason: 'v2.6 leaks memory' },
      {},
      true,
    ],
    [
      'a deploy given the reason a rollback would have is still a deploy',
      { ...record, reason: `rollback to ${record.toVersion}` },
      {},
      false,
    ],
    [
      'threader rollback says so itself, whatever reason a person gave',
      { ...rollback, rollbackOf: undefined, reason: 'v2.6 leaks memory' },
      { rollback: true },
      true,
    ],
    ['a deploy is no rollback', record, {}, false],
    [
      'a deploy whose reason merely mentions a rollback is none',
      { ...record, reason: 'rollback drill' },
      {},
      false,
    ],
  ];
  it.each(cases)('%s', (_name, rec, opts, expected) => {
    const story = beginStory(rec, 'deploy.yaml', opts);
    expect(story.card.rollback === true).toBe(expected);
    expect(opening(story).map((r) => r.type)).toEqual(expected ? ['rollback-started'] : []);
    const { said } = play([end], null, story);
    expect(said.at(-1)?.rollback === true).toBe(expected);
  });

  it('the opening reply names the rollback, who, from what to what, why, what it undoes and its status command', () => {
    expect(opening(beginStory(rollback, 'deploy.yaml'))).toEqual([
      {
        type: 'rollback-started',
        deployId: 'd-rb',
        by: 'alice',
        from: 'v2.6',
        to: 'v2',
        reason: 'rollback to v2',
        rollbackOf: 'd-undone',
        statusCommand: 'threader status d-rb --config deploy.yaml',
      },
    ]);
  });

  it('a failed rollback is told as a failed rollback', () => {
    const { said } = play(
      [
        started(5),
        {
          type: 'deploy-failed',
          deployId: 'd-rb',
          failure: { step: 5, kind: 'analyse', message: 'bad', gate: true },
          rollbackCommand: 'threader rollback --config deploy.yaml --env production --to v1',
        },
      ],
      null,
      beginStory(rollback, 'deploy.yaml'),
    );
    expect(said[0]).toMatchObject({ type: 'failure', rollback: true });
  });
});
