/**
 * Flags of `threader slack-emulator` -> emulator options. Kept here (pure, tested) so the command
 * file stays a thin shell.
 */
import { UsageError } from '../errors.js';
import type { SlackEmulatorOptions } from './types.js';

export interface SlackEmulatorFlags {
  port?: string;
  host?: string;
  /** commander's `--no-rate-limits` sets this to false. */
  rateLimits?: boolean;
  token?: string;
}

export function emulatorOptionsFromFlags(flags: SlackEmulatorFlags): SlackEmulatorOptions {
  const options: SlackEmulatorOptions = { host: flags.host ?? '127.0.0.1', port: 0 };
  if (flags.port !== undefined) {
    if (!/^\d{1,5}$/.test(flags.port) || Number(flags.port) > 65_535) {
      throw new UsageError(`--port: "${flags.port}" is not a port number (0-65535; 0 picks a free port)`);
    }
    options.port = Number(flags.port);
  }
  if (flags.rateLimits === false) options.rateLimits = 'off';
  if (flags.token !== undefined) {
    if (!flags.token.startsWith('xoxb-')) throw new UsageError('--token: a bot token starts with "xoxb-"');
    options.token = flags.token;
  }
  return options;
}
