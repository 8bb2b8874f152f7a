import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../errors.js';
import { dashboardAuth, presentedToken } from './auth.js';

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('dashboard auth', () => {
  const check = dashboardAuth('s3cret-token');
  const cases: Array<[string, string | undefined, boolean]> = [
    ['a bearer token that matches is let in', 'Bearer s3cret-token', true],
    ['basic auth with any user and the token as password is let in', basic('alice', 's3cret-token'), true],
    ['basic auth with an empty user is let in', basic('', 's3cret-token'), true],
    ['no Authorization header is refused', undefined, false],
    ['a wrong bearer token is refused', 'Bearer s3cret-tokeN', false],
    ['a prefix of the token is refused', 'Bearer s3cret', false],
    ['the token as the basic user name is refused', basic('s3cret-token', ''), false],
    ['an unknown scheme is refused', 'Token s3cret-token', false],
  ];
  it.each(cases)('%s', (_name, header, allowed) => {
    if (allowed) expect(() => check(header)).not.toThrow();
    else expect(() => check(header)).toThrow(UnauthorizedError);
  });

  it('lets everyone in when no token is configured', () => {
    expect(() => dashboardAuth(undefined)(undefined)).not.toThrow();
  });

  it('never names the token in its refusal', () => {
    try {
      check('Bearer wrong');
    } catch (err) {
      expect((err as Error).message).not.toContain('s3cret');
    }
    expect.assertions(1);
  });

  it('keeps colons in a basic-auth password', () => {
    expect(presentedToken(basic('u', 'a:b:c'))).toBe('a:b:c');
  });
});
