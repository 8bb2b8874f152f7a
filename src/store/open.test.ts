import { describe, expect, it } from 'vitest';
import { displayStore } from './open.js';

describe('displayStore', () => {
  it.each([
    ['a SQLite path is shown as is', '/var/lib/threader/threader.db', '/var/lib/threader/threader.db'],
    [
      'a URL without a password is shown as is',
      'postgres://threader@db:5432/threader',
      'postgres://threader@db:5432/threader',
    ],
    [
      'a password is masked',
      'postgres://threader:s3cret@db:5432/threader?sslmode=require',
      'postgres://threader:***@db:5432/threader?sslmode=require',
    ],
    ['an unparseable URL shows nothing of itself', 'postgres://user:pw@[bad', 'postgres://(unparseable URL)'],
  ])('%s', (_name, db, shown) => {
    expect(displayStore(db)).toBe(shown);
  });
});
