import { describe, expect, it } from 'vitest';
import { testRecord } from '../../test/deploy/fakes.js';
import { canarySteps } from '../deploy/executor-fixtures.test-suite.js';
import type { DeployEvent } from '../deploy/types.js';
import { applyEvent, cardOf, trafficOf, type DeployCard } from './deploy-card.js';

const before = { versions: { a: 'v1', b: 'v1', c: 'v1', d: 'v1' }, weights: { a: 1, b: 1, c: 1, d: 1 } };

describe('trafficOf', () => {
  const cases: Array<[string, Record<string, number>, Record<string, string>, unknown]> = [
    [
      'one version on every instance gets all the traffic',
      { a: 1, b: 1 },
      { a: 'v1', b: 'v1' },
      [{ version: 'v1', weight: 2, percent: 100, instances: ['a', 'b'] }],
    ],
    [
      'a canary weighted 1 against three stable weighted 3 gets 10 %',
      { a: 3, b: 3, c: 3, d: 1 },
      { a: 'v1', b: 'v1', c: 'v1', d: 'v2' },
      [
        { version: 'v1', weight: 9, percent: 90, instances: ['a', 'b', 'c'] },
        { version: 'v2', weight: 1, percent: 10, instances: ['d'] },
      ],
    ],
    [
      'shares are rounded to one decimal and instances out of nginx count for nothing',
      { a: 1, b: 1, c: 1, d: 0 },
      { a: 'v1', b: 'v1', c: 'v2', d: 'v2' },
      [
        { version: 'v1', weight: 2, percent: 66.7, instances: ['a', 'b'] },
        { version: 'v2', weight: 1, percent: 33.3, instances: ['c'] },
      ],
    ],
    ['an empty upstream carries no traffic', {}, {}, []],
  ];
  it.each(cases)('%s', (_name, weights, versions, expected) => {
    expect(trafficOf(weights, versions)).toEqual(expected);
  });
});

describe('cardOf', () => {
  it('a fresh record shows its first step and the traffic before the deploy', () => {
    const card = cardOf(testRecord(canarySteps, { fleetBefore: before, reason: 'fix' }), {
      config: 'd.yaml',
    });
    expect(card).toMatchObject({
      id: 'd-1',
      service: 'svc',
      env: 'production',
      from: 'v1',
      to: 'v2',
      status: 'running',
      reason: 'fix',
      step: { number: 1, total: 7, label: 'weights a=1 b=1 c=1' },
      traffic: [{ version: 'v1', percent: 100 }],
      config: 'd.yaml',
    });
  });

  it('a resumed record shows the step it stopped at and the weights the finished steps left', () => {
    const card = cardOf(testRecord(canarySteps, { fleetBefore: before, stepIndex: 5 }));
    expect(card.step).toEqual({ number: 6, total: 7, label: 'analysis "canary at 10%": 3 × every 2s' });
    expect(card.traffic?.map((s) => [s.version, s.percent])).toEqual([
      ['v1', 90],
      ['v2', 10],
    ]);
  });

  it('a finished record has no current step and says where it failed', () => {
    const card = cardOf(
      testRecord(canarySteps, {
        status: 'rolled-back',
        finishedAt: 9_000,
        failure: { step: 5, kind: 'analyse', message: 'analysis Failed' },
      }),
    );
    expect(card.step).toBeUndefined();
    expect(card.failure).toBe('step 6 of 7 (analyse): analysis Failed');
    expect(card.finishedAt).toBe(9_000);
  });
});

describe('applyEvent', () => {
  const base: DeployCard = cardOf(testRecord(canarySteps, { fleetBefore: before }));
  const cases: Array<[string, DeployEvent, Partial<DeployCard>]> = [
    [
      'a step that starts becomes the current step',
      { type: 'step-started', deployId: 'd-1', index: 3, step: canarySteps[3]! },
      { status: 'running', step: { number: 4, total: 7, label: 'health gate d' } },
    ],
    [
      'new weights change the traffic shown',
      {
        type: 'weights-set',
        deployId: 'd-1',
        weights: { a: 3, b: 3, c: 3, d: 1 },
        versions: { a: 'v1', b: 'v1', c: 'v1', d: 'v2' },
      },
      { traffic: trafficOf({ a: 3, b: 3, c: 3, d: 1 }, { a: 'v1', b: 'v1', c: 'v1', d: 'v2' }) },
    ],
    [
      'an approval request makes the card wait for a person',
      { type: 'approval-requested', deployId: 'd-1', reason: 'production', timeoutAt: 5 },
      { status: 'waiting-approval', approval: { reason: 'production', timeoutAt: 5 } },
    ],
    [
      'an approval names who approved',
      { type: 'approved', deployId: 'd-1', by: 'slack:U1:alice' },
      { status: 'running', approvedBy: 'slack:U1:alice' },
    ],
    ['a pause shows paused', { type: 'paused', deployId: 'd-1', by: 'bob' }, { status: 'paused' }],
    [
      'a failure shows rolling back and where it failed',
      {
        type: 'deploy-failed',
        deployId: 'd-1',
        failure: { step: 5, kind: 'analyse', message: 'bad' },
        rollbackCommand: 'threader rollback',
      },
      { status: 'rolling-back', failure: 'step 6 of 7 (analyse): bad' },
    ],
    [
      'a locked guard is shown after the rollback',
      { type: 'rollback-finished', deployId: 'd-1', guardLocked: true },
      { guardLocked: true },
    ],
    [
      'the end sets the final status and the time it ended',
      { type: 'deploy-finished', deployId: 'd-1', status: 'succeeded' },
      { status: 'succeeded', finishedAt: 42, step: undefined },
    ],
  ];
  it.each(cases)('%s', (_name, event, expected) => {
    const next = applyEvent(base, event, 7, 42);
    for (const [k, v] of Object.entries(expected)) expect(next[k as keyof DeployCard], k).toEqual(v);
  });

  it('the approval leaves the card once approved', () => {
    const waiting = applyEvent(
      base,
      { type: 'approval-requested', deployId: 'd-1', reason: 'production', timeoutAt: 5 },
      7,
      0,
    );
    expect(
      applyEvent(waiting, { type: 'approved', deployId: 'd-1', by: 'x' }, 7, 0).approval,
    ).toBeUndefined();
  });
});
