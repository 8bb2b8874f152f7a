import { describe, it, expect } from 'vitest';
import { UsageError } from '../errors.js';
import { parseExitCodes, parseRetryInvocation } from './retry.js';

describe('parseRetryInvocation', () => {
  it.each([
    ['the original form reads ATTEMPTS and BASE seconds', ['3', '5'], {}, { attempts: 3, baseMs: 5_000 }],
    ['flags replace the positional form', [], { attempts: '4', base: '500ms' }, { attempts: 4, baseMs: 500 }],
    ['nothing given means 3 attempts and 5 s', [], {}, { attempts: 3, baseMs: 5_000, maxDelayMs: 300_000 }],
    [
      'full jitter and a max delay are taken as given',
      [],
      { jitter: 'full', maxDelay: '2m' },
      { jitter: 'full', maxDelayMs: 120_000 },
    ],
  ])('%s', (_name, positional, flags, policy) => {
    expect(parseRetryInvocation(positional, ['cmd', '--flag'], flags).options.policy).toMatchObject(policy);
  });

  it('keeps the command and its arguments exactly as given', () => {
    expect(parseRetryInvocation([], ['curl', '-fsS', '--', 'x y'], {}).spec).toEqual({
      command: 'curl',
      args: ['-fsS', '--', 'x y'],
    });
  });

  it.each([
    ['no command', [], [], {}],
    ['ATTEMPTS and --attempts together', ['3'], ['cmd'], { attempts: '3' }],
    ['zero attempts', ['0'], ['cmd'], {}],
    ['a third positional before --', ['3', '5', 'cmd'], ['x'], {}],
    ['a timeout that is not a duration', [], ['cmd'], { timeout: 'soon' }],
    ['a zero deadline', [], ['cmd'], { deadline: '0s' }],
  ])('rejects %s as a usage error', (_name, positional, command, flags) => {
    expect(() => parseRetryInvocation(positional, command, flags)).toThrow(UsageError);
  });
});

describe('parseExitCodes', () => {
  it('reads lists and ranges', () => {
    expect([...parseExitCodes('1, 75,120-122')]).toEqual([1, 75, 120, 121, 122]);
  });
  it.each(['x', '5-3', '256', '1,,2'])('rejects "%s"', (text) => {
    expect(() => parseExitCodes(text)).toThrow(UsageError);
  });
});
