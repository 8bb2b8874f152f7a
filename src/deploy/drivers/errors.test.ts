import { describe, expect, it } from 'vitest';
import { ConfigError, ValidationError } from '../../errors.js';
import { DriverAuthError, DriverError, DriverUnreachableError, isRetryableDriverError } from './errors.js';

const at = { instance: 'a', host: 'web-1', operation: 'start' as const };

describe('which driver failures the executor retries', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['an unreachable host is retried', new DriverUnreachableError('refused', at), true],
    ['a refused or changed host key is not', new DriverAuthError('Host key verification failed.', at), false],
    [
      'a bad run template is not',
      new ValidationError([{ field: 'run', problem: 'x' }], 'run template'),
      false,
    ],
    ['a config problem is not', new ConfigError('no unit'), false],
    [
      'a command that is not found is not',
      new DriverError('sh: systemctl: not found', { ...at, exitCode: 127 }),
      false,
    ],
    ['a command that cannot be executed is not', new DriverError('denied', { ...at, exitCode: 126 }), false],
    ['a command that failed is retried', new DriverError('start failed', { ...at, exitCode: 1 }), true],
    ['a command that timed out is retried', new DriverError('timed out', at), true],
    ['an unknown error is retried', new Error('EPIPE'), true],
  ];
  it.each(cases)('%s', (_name, err, retryable) => {
    expect(isRetryableDriverError(err)).toBe(retryable);
  });
});
