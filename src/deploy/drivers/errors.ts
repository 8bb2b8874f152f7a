import { AppError } from '../../errors.js';

export type DriverOperation = 'start' | 'stop' | 'state';

export interface DriverErrorDetails extends Record<string, unknown> {
  instance: string;
  host: string;
  operation: DriverOperation;
  exitCode?: number;
}

/**
 * A driver command ran and failed (systemctl refused, the remote script exited non-zero). The
 * message carries the command's stderr, never its input: env values may be secrets.
 */
export class DriverError extends AppError {
  readonly code: string = 'driver_failed';
  constructor(
    message: string,
    override readonly details: DriverErrorDetails,
  ) {
    super(message, details);
  }
}

/** ssh could not reach the host (refused, timed out, reset): retried through the deployStep policy. */
export class DriverUnreachableError extends DriverError {
  override readonly code: string = 'driver_unreachable';
}

/** The host's key did not match known_hosts, or it refused our key: never retried. */
export class DriverAuthError extends DriverError {
  override readonly code: string = 'driver_auth_failed';
}

/** The last lines of a command's stderr, for an error message. */
export function stderrTail(stderr: string, lines = 5): string {
  const kept = stderr.trim().split('\n').slice(-lines).join('\n').trim();
  return kept === '' ? '(no output on stderr)' : kept;
}
