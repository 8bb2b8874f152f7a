import { describe, expect, it } from 'vitest';
import { emulatorOptionsFromFlags } from './cli-options.js';

describe('emulatorOptionsFromFlags', () => {
  it.each([
    ['listens on loopback and a free port by default', {}, { host: '127.0.0.1', port: 0 }],
    ['takes the port and host given', { port: '3999', host: '::1' }, { host: '::1', port: 3999 }],
    [
      'turns rate limits off with --no-rate-limits',
      { rateLimits: false },
      { host: '127.0.0.1', port: 0, rateLimits: 'off' },
    ],
    ['keeps rate limits on when the flag is absent', { rateLimits: true }, { host: '127.0.0.1', port: 0 }],
    [
      'accepts only the given bot token',
      { token: 'xoxb-local' },
      { host: '127.0.0.1', port: 0, token: 'xoxb-local' },
    ],
  ])('%s', (_name, flags, expected) => {
    expect(emulatorOptionsFromFlags(flags)).toEqual(expected);
  });

  it.each([
    ['rejects a port that is not a number', { port: 'http' }, /--port: "http" is not a port number/],
    ['rejects a port above 65535', { port: '70000' }, /--port/],
    [
      'rejects a token that is not a bot token, without echoing it',
      { token: 'xoxp-secret-value' },
      /^--token: a bot token starts with "xoxb-"$/,
    ],
  ])('%s', (_name, flags, message) => {
    expect(() => emulatorOptionsFromFlags(flags)).toThrow(message);
  });
});
