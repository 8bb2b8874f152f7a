import { describe, expect, it } from 'vitest';
import { deployFilterQuery, parseDeployFilter } from './deploy-filters.js';

describe('parseDeployFilter', () => {
  const cases: Array<[string, Record<string, unknown>, ReturnType<typeof parseDeployFilter>]> = [
    ['no query shows the newest 50 deploys of every environment', {}, { filter: { limit: 50 }, ignored: [] }],
    [
      'environment and status narrow the list',
      { env: 'production', status: 'rolled-back' },
      { filter: { env: 'production', status: 'rolled-back', limit: 50 }, ignored: [] },
    ],
    [
      '"all" and empty values mean no filter',
      { env: '', status: 'all' },
      { filter: { limit: 50 }, ignored: [] },
    ],
    [
      'an unknown status is dropped and reported',
      { status: 'done' },
      { filter: { limit: 50 }, ignored: ['status'] },
    ],
    [
      'an environment with markup in it is dropped and reported',
      { env: '"><script>' },
      { filter: { limit: 50 }, ignored: ['env'] },
    ],
    ['a limit above 1000 is capped', { limit: '5000' }, { filter: { limit: 1000 }, ignored: [] }],
    [
      'a limit that is no whole number is dropped',
      { limit: 'x' },
      { filter: { limit: 50 }, ignored: ['limit'] },
    ],
    [
      'a repeated parameter (an array) is dropped, not joined',
      { env: ['a', 'b'] },
      { filter: { limit: 50 }, ignored: [] },
    ],
  ];
  it.each(cases)('%s', (_name, query, expected) => {
    expect(parseDeployFilter(query)).toEqual(expected);
  });
});

describe('deployFilterQuery', () => {
  it('leaves defaults out and keeps the rest, so "Show more" keeps the filters', () => {
    expect(deployFilterQuery({ limit: 50 })).toBe('');
    expect(deployFilterQuery({ env: 'prod', status: 'failed', limit: 100 })).toBe(
      '?env=prod&status=failed&limit=100',
    );
  });
});
