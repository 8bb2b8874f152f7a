import { describe, it, expect } from 'vitest';
import { evaluate, judge, type Judgement, type Observation } from './evaluate.js';
import type { MetricCheck } from './types.js';

const fiveXx: MetricCheck = {
  name: 'http_5xx_ratio',
  comparator: '<=',
  threshold: 0.01,
  noData: 'fail',
  unit: 'ratio',
};
const health: MetricCheck = {
  name: 'health_check_success_ratio',
  comparator: '>=',
  threshold: 0.995,
  noData: 'fail',
  unit: 'ratio',
};
const at = 1_000;
const m = (...values: number[]): Observation => ({ values, query: 'q', at });

describe('judge', () => {
  it.each<[string, MetricCheck, Observation, string]>([
    ['a 5xx ratio under the threshold is Successful', fiveXx, m(0.004), 'Successful'],
    ['a 5xx ratio exactly at the threshold is Successful', fiveXx, m(0.01), 'Successful'],
    ['a 5xx ratio over the threshold is Failed', fiveXx, m(0.2), 'Failed'],
    ['one bad series among good ones fails the check', fiveXx, m(0, 0.5, 0.001), 'Failed'],
    ['a health ratio above its floor is Successful', health, m(1), 'Successful'],
    ['a health ratio below its floor is Failed', health, m(0.9), 'Failed'],
    ['an empty result follows the no-data policy, failing by default', fiveXx, m(), 'Failed'],
    ['NaN from 0/0 (no traffic) is no data, not a pass', fiveXx, m(Number.NaN), 'Failed'],
    ['no data passes only when the policy says so', { ...fiveXx, noData: 'pass' }, m(), 'Successful'],
    ['no data can ask a human instead', { ...fiveXx, noData: 'inconclusive' }, m(), 'Inconclusive'],
    [
      'a provider error is an Error, never a pass',
      { ...fiveXx, noData: 'pass' },
      { error: 'refused', at },
      'Error',
    ],
  ])('%s', (_name, check, obs, outcome) => {
    expect(judge(check, obs).outcome).toBe(outcome);
  });

  it('reports the worst series and a readable comparison', () => {
    const j = judge(fiveXx, m(0.001, 0.25));
    expect(j.value).toBe(0.25);
    expect(j.message).toBe('25% <= 1% does not hold');
  });

  it('says which no-data policy decided', () => {
    expect(judge(fiveXx, m()).message).toBe('no data (policy: fail)');
  });
});

const j = (outcome: Judgement['outcome']): Judgement => ({
  check: 'c',
  outcome,
  values: [],
  comparator: '<=',
  threshold: 1,
  noData: false,
  message: '',
  at,
});
const S = j('Successful');
const F = j('Failed');
const I = j('Inconclusive');
const E = j('Error');

describe('evaluate (Argo semantics)', () => {
  it.each<[string, Judgement[], Parameters<typeof evaluate>[1], string]>([
    ['all successful measurements make a Successful analysis', [S, S, S], {}, 'Successful'],
    ['one failure is enough with the default failureLimit of 0', [S, F, S], {}, 'Failed'],
    ['failures up to failureLimit are tolerated', [F, S, F], { failureLimit: 2 }, 'Successful'],
    ['one more failure than failureLimit fails', [F, F, F], { failureLimit: 2 }, 'Failed'],
    ['an inconclusive measurement pauses for a human', [S, I], {}, 'Inconclusive'],
    ['four consecutive errors are tolerated by default', [E, E, E, E, S], {}, 'Successful'],
    ['a fifth consecutive error ends in Error', [S, E, E, E, E, E], {}, 'Error'],
    ['errors interrupted by a good measurement do not add up', [E, E, E, S, E, E, E], {}, 'Successful'],
    ['a failure outranks too many errors', [F, E, E, E, E, E], {}, 'Failed'],
    ['the analysis is Running until count measurements exist', [S, S], { count: 3 }, 'Running'],
    ['the analysis succeeds once count measurements are good', [S, S, S], { count: 3 }, 'Successful'],
    ['a failure ends a counted analysis early', [F], { count: 3 }, 'Failed'],
    [
      'count reached with every measurement a provider error is Error, not Successful (fail closed, unlike Argo)',
      [E, E, E],
      { count: 3 },
      'Error',
    ],
    ['a single measurement that is a provider error is Error', [E], { count: 1 }, 'Error'],
    ['one good measurement among errors is evidence: Argo decides', [E, S, E], { count: 3 }, 'Successful'],
    ['errors still Running before count fail nothing yet', [E, E], { count: 3 }, 'Running'],
  ])('%s', (_name, judgements, limits, phase) => {
    expect(evaluate(judgements, limits).phase).toBe(phase);
  });

  it('counts each kind of measurement', () => {
    expect(evaluate([S, F, I, E, E])).toMatchObject({
      measurements: 5,
      successful: 1,
      failed: 1,
      inconclusive: 1,
      errors: 2,
      consecutiveErrors: 2,
    });
  });
});
