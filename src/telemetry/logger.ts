import { pino, type Logger, type DestinationStream } from 'pino';
import type { Metrics } from './metrics.js';

export type { Logger };

/**
 * JSON logs (pino). Every line is counted by level in threader_log_messages_total, the source of
 * the error-log ratio SLI. Secrets never reach a log: known secret fields are redacted as a net,
 * and no code logs tokens in the first place.
 */
export function createLogger(
  opts: { level?: string; metrics?: Metrics; destination?: DestinationStream } = {},
): Logger {
  const counter = opts.metrics?.logMessages;
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: 'alert-threader' },
      redact: {
        paths: [
          'token',
          'authorization',
          '*.token',
          '*.authorization',
          'headers.authorization',
          'signingSecret',
        ],
        censor: '[redacted]',
      },
      ...(counter && {
        hooks: {
          logMethod(args, method, level) {
            counter.inc({ level: pino.levels.labels[level] ?? String(level) });
            return method.apply(this, args);
          },
        },
      }),
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
