import { AppError } from '../errors.js';

/**
 * Errors of the traffic adapter. They extend the one AppError hierarchy (src/errors.ts); they live
 * here because only traffic/ throws them and the executor reports them by `code`.
 */

/** The desired upstream cannot be written as valid nginx config (empty, bad weight, bad name). */
export class InvalidUpstreamError extends AppError {
  readonly code = 'invalid_upstream';
  override readonly exitCode = 2;
}

/**
 * `nginx -t` refused the rendered config. The previous file is back in place and nginx still
 * serves it; `stderr` is nginx's own message (it names the file and line).
 */
export class TrafficConfigRejectedError extends AppError {
  readonly code = 'traffic_config_rejected';
  constructor(
    readonly stderr: string,
    readonly commandExitCode: number,
  ) {
    super(
      `nginx rejected the new upstream config (exit ${commandExitCode}): ${stderr.trim() || '(no output)'}`,
      {
        stderr,
      },
    );
  }
}

/** A traffic command (test or reload) could not run or kept failing after the retry policy. */
export class TrafficCommandError extends AppError {
  readonly code = 'traffic_command_failed';
  constructor(
    readonly what: 'test' | 'reload',
    readonly argv: string[],
    readonly detail: string,
  ) {
    super(`${what} command failed (${argv.join(' ')}): ${detail}`, { argv, detail });
  }
}
