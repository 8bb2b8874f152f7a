import { describe, expect, it } from 'vitest';
import type { StoredDeployEvent } from '../deploy/types.js';
import { deployDetail, judgementView, weightShares } from './deploy-detail.js';
import { canaryDeploy, judgement } from './deploy-fixtures.test-suite.js';

const stored = (f: ReturnType<typeof canaryDeploy>): StoredDeployEvent[] =>
  f.events.map((e, i) => ({ deployId: f.record.id, seq: i + 1, ...e }));

describe('weightShares', () => {
  const cases: Array<[string, Record<string, number>, Record<string, string>, Record<string, number>]> = [
    [
      'one canary weight against nine stable is 10 % new',
      { a: 1, b: 9 },
      { a: 'v2', b: 'v1' },
      { v2: 10, v1: 90 },
    ],
    ['equal weights split the traffic in half', { a: 1, b: 1 }, { a: 'v2', b: 'v1' }, { v2: 50, v1: 50 }],
    [
      'instances on one version add up',
      { a: 1, b: 1, c: 1 },
      { a: 'v2', b: 'v2', c: 'v1' },
      { v2: 66.7, v1: 33.3 },
    ],
    [
      'an instance whose version is not known counts as "unknown"',
      { a: 1, x: 1 },
      { a: 'v1' },
      { v1: 50, unknown: 50 },
    ],
    ['an empty upstream carries no traffic', {}, {}, {}],
  ];
  it.each(cases)('%s', (_name, weights, versions, expected) => {
    expect(weightShares(weights, versions)).toEqual(expected);
  });
});

describe('judgementView', () => {
  it('shows value and threshold with the units the analysis applied', () => {
    expect(judgementView(judgement(0.042, 0, false))).toMatchObject({
      value: '4.2%',
      threshold: '<= 1%',
      outcome: 'Failed',
    });
  });

  it('says "no data" and "error" rather than inventing a value', () => {
    const none = {
      ...judgement(0, 0),
      value: undefined,
      values: [],
      noData: true,
      message: 'no data (policy: fail)',
    };
    expect(judgementView({ ...none, outcome: 'Failed' })).toMatchObject({
      value: 'no data',
      threshold: '<= 0.01',
    });
    expect(
      judgementView({ ...none, noData: false, outcome: 'Error', message: 'provider error: timeout' }),
    ).toMatchObject({
      value: 'error',
    });
  });
});

describe('deployDetail', () => {
  it('a finished canary has every step done with its timing, and traffic going 10 → 50 → 100 %', () => {
    const f = canaryDeploy();
    const d = deployDetail(f.record, stored(f), f.record.createdAt + 3_600_000);
    expect(d.steps.map((s) => s.state)).toEqual(Array(11).fill('done'));
    expect(d.steps[1]).toMatchObject({
      text: 'health gate api-1',
      durationMs: 3_000,
      detail: 'healthy: 3 of 3 probes',
    });
    expect(d.versions).toEqual(['1.4.0', '1.5.0']);
    expect(d.weights.map((w) => w.shares['1.5.0'])).toEqual([10, 50, 100, 100]);
    expect(d.weights.map((w) => w.shares['1.4.0'] ?? 0)).toEqual([90, 50, 0, 0]);
    expect(d.analyses.map((a) => [a.step, a.outcome, a.judgements[0]?.value])).toEqual([
      [3, 'Successful', '0.2%'],
      [5, 'Successful', '0.4%'],
    ]);
    expect(d.rollbackCommand).toBeUndefined();
    expect(d.endAt).toBe(f.record.finishedAt);
  });

  it('a canary rolled back at 50 % marks the failed step, leaves the rest not run and keeps the rollback command', () => {
    const f = canaryDeploy({ ending: 'rolled-back' });
    const d = deployDetail(f.record, stored(f), f.record.createdAt + 3_600_000);
    expect(d.steps.map((s) => s.state)).toEqual([
      ...Array(5).fill('done'),
      'failed',
      ...Array(5).fill('not-run'),
    ]);
    // The failed analysis ran 3 minutes before it failed.
    expect(d.steps[5]?.durationMs).toBe(180_100);
    expect(d.analyses[1]?.judgements[0]).toMatchObject({
      value: '4.2%',
      threshold: '<= 1%',
      outcome: 'Failed',
    });
    expect(d.analyses[1]?.judgements[0]?.query).toMatch(/^sum\(rate\(threader_http_requests_total/);
    // The revert sent all traffic back to the old version.
    expect(d.weights.at(-1)?.shares).toEqual({ '1.4.0': 100 });
    expect(d.rollbackCommand).toBe('threader rollback --config deploy.yaml --env production --to 1.4.0');
    expect(d.guardLocked).toBe(true);
  });

  it('a running deploy shows its current step running, timed up to now, and the rest to do', () => {
    const f = canaryDeploy({ ending: 'running' });
    const last = f.events.at(-1)?.at as number;
    const d = deployDetail(f.record, stored(f), last + 42_000);
    expect(d.steps[5]).toMatchObject({ state: 'running', durationMs: 42_000 });
    expect(d.steps.slice(6).every((s) => s.state === 'pending')).toBe(true);
    expect(d.endAt).toBe(last + 42_000);
  });

  it('names a Slack approver as @name, in the people list and the log', () => {
    const f = canaryDeploy({ ending: 'running' });
    const events = [
      ...stored(f),
      {
        deployId: f.record.id,
        seq: 99,
        at: 5,
        event: { type: 'approved' as const, deployId: f.record.id, by: 'slack:U0ALICE:alice' },
      },
    ];
    const d = deployDetail(f.record, events, 10);
    expect(d.people).toEqual([{ at: 5, text: 'approved by @alice (Slack)' }]);
    expect(d.log.at(-1)?.lines).toEqual(['approved by @alice (Slack)']);
  });
});
