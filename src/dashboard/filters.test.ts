import { describe, expect, it } from 'vitest';
import { filterQuery, parseThreadFilter } from './filters.js';

describe('parseThreadFilter', () => {
  const cases: Array<[string, Record<string, unknown>, ReturnType<typeof parseThreadFilter>]> = [
    ['no query shows the newest 50 of every state and channel', {}, { filter: { limit: 50 }, ignored: [] }],
    [
      'state and channel narrow the list',
      { state: 'firing', channel: 'C0ALERTS' },
      { filter: { state: 'firing', channel: 'C0ALERTS', limit: 50 }, ignored: [] },
    ],
    [
      '"all" and empty values mean no filter',
      { state: 'all', channel: '' },
      { filter: { limit: 50 }, ignored: [] },
    ],
    [
      'an unknown state is dropped and reported',
      { state: 'open' },
      { filter: { limit: 50 }, ignored: ['state'] },
    ],
    [
      'a channel with markup in it is dropped and reported',
      { channel: '<script>' },
      { filter: { limit: 50 }, ignored: ['channel'] },
    ],
    ['a limit above 1000 is capped', { limit: '5000' }, { filter: { limit: 1000 }, ignored: [] }],
    [
      'a limit that is no whole number is dropped',
      { limit: '1.5' },
      { filter: { limit: 50 }, ignored: ['limit'] },
    ],
    [
      'a repeated parameter is dropped',
      { state: ['firing', 'resolved'] },
      { filter: { limit: 50 }, ignored: [] },
    ],
  ];
  it.each(cases)('%s', (_name, query, expected) => {
    expect(parseThreadFilter(query)).toEqual(expected);
  });
});

describe('filterQuery', () => {
  it('writes only what differs from the defaults', () => {
    expect(filterQuery({ limit: 50 })).toBe('');
    expect(filterQuery({ state: 'resolved', channel: 'C1', limit: 100 })).toBe(
      '?state=resolved&channel=C1&limit=100',
    );
  });
});
