/**
 * The one error hierarchy. Every error a user can see carries a stable snake_case `code`;
 * HTTP status and CLI exit code are mapped from it in one place each (http/errors.ts, cli/main.ts).
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  /** HTTP status when this error ends a request. */
  readonly httpStatus: number = 500;
  /** Process exit code when this error ends a CLI command. */
  readonly exitCode: number = 1;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** One problem in an input document, with the path of the field it is about ("alerts[0].status"). */
export interface FieldProblem {
  field: string;
  problem: string;
}

/** Bad input from a client: a request body, a config file, a deploy spec. */
export class ValidationError extends AppError {
  readonly code = 'invalid_input';
  override readonly httpStatus = 400;
  override readonly exitCode = 2;
  constructor(
    readonly problems: FieldProblem[],
    what = 'input',
  ) {
    super(
      `invalid ${what}: ${problems.map((p) => (p.field ? `${p.field}: ${p.problem}` : p.problem)).join('; ')}`,
    );
  }
}

export class ConfigError extends AppError {
  readonly code = 'invalid_config';
  override readonly exitCode = 2;
}

export class UsageError extends AppError {
  readonly code = 'usage';
  override readonly exitCode = 2;
}

export class UnauthorizedError extends AppError {
  readonly code = 'unauthorized';
  override readonly httpStatus = 401;
}

export class NotFoundError extends AppError {
  readonly code = 'not_found';
  override readonly httpStatus = 404;
}

export class ConflictError extends AppError {
  readonly code = 'conflict';
  override readonly httpStatus = 409;
}

/** The durable store cannot be reached or written: the request must be retried by its sender. */
export class StoreUnavailableError extends AppError {
  readonly code = 'store_unavailable';
  override readonly httpStatus = 503;
}

/**
 * A Slack Web API call failed. `slackError` is Slack's own error string ("ratelimited",
 * "channel_not_found", …) or a transport failure ("network_error", "http_503", "timeout").
 */
export class SlackApiError extends AppError {
  readonly code = 'slack_api_error';
  override readonly httpStatus = 502;
  constructor(
    readonly slackError: string,
    readonly method: string,
    /** Seconds from Slack's Retry-After header on HTTP 429. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`Slack ${method} failed: ${slackError}`);
  }
}

/** A metric query could not be answered (provider down, bad query, empty result when data was required). */
export class MetricProviderError extends AppError {
  readonly code = 'metric_provider_error';
  override readonly httpStatus = 502;
}

/**
 * An Alertmanager API v2 call failed: `reason` is "unreachable", "timeout" or "http_<status>".
 * Never carries credentials: the URL in the message is the base URL without userinfo.
 */
export class AlertmanagerApiError extends AppError {
  readonly code = 'alertmanager_api_error';
  override readonly httpStatus = 502;
  constructor(
    readonly reason: string,
    readonly operation: string,
    message: string,
  ) {
    super(message);
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
