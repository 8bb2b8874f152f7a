import { AppError, ConfigError, UsageError, ValidationError } from '../../errors.js';

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

/** ssh could not reach the host (refused, timed out, reset): the executor retries it (deployStep policy). */
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

/** Exit codes of a command that could not be run at all: not executable, not found (POSIX sh). */
const CANNOT_RUN = [126, 127];

/**
 * Whether a failed driver command is worth another attempt. Retrying cannot fix a refused key or
 * changed host key (and must not hammer an sshd into banning us), a bad run template, or a command
 * that does not exist; it can fix an unreachable host, a timeout, or a start that failed because
 * the old process was still letting go of its port. Unknown errors count as transient.
 */
export function isRetryableDriverError(err: unknown): boolean {
  if (err instanceof DriverAuthError) return false;
  if (err instanceof ValidationError || err instanceof ConfigError || err instanceof UsageError) return false;
  if (err instanceof DriverUnreachableError) return true;
  if (err instanceof DriverError) return !CANNOT_RUN.includes(err.details.exitCode ?? 0);
  return true;
}
