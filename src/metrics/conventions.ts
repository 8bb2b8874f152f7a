import type { CounterRatio, MetricCheck } from './types.js';

/**
 * The project's metric conventions (docs/slo.md): `threader serve` exports these, and so must any
 * service deployed with the project's conventions (test/fixtures/test-service.mjs does), so that
 * the guard's default SLOs, the deploy analysis and examples/prometheus rules work unchanged.
 */
export const METRIC = {
  /** Counter, labels route, method, code (numeric HTTP status as a string). */
  httpRequests: 'threader_http_requests_total',
  /** Histogram (seconds), labels route, method. */
  httpDuration: 'threader_http_request_duration_seconds',
  /** Counter of log lines written, label level. The error-log ratio's source. */
  logMessages: 'threader_log_messages_total',
  /** Counter of health checks, labels target, result (success|failure); written by whoever checks. */
  healthChecks: 'threader_health_checks_total',
} as const;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const ERROR_LOG_LEVELS = ['error', 'fatal'] as const;
export const HEALTH_RESULTS = ['success', 'failure'] as const;

/** The three SLIs of the guard window as counter ratios (PromQL is derived from them, see promql.ts). */
export const SLI = {
  http5xxRatio: {
    numerator: { metric: METRIC.httpRequests, match: { code: '5..' } },
    denominator: { metric: METRIC.httpRequests },
  },
  healthCheckSuccessRatio: {
    numerator: { metric: METRIC.healthChecks, match: { result: 'success' } },
    denominator: { metric: METRIC.healthChecks },
  },
  errorLogRatio: {
    numerator: { metric: METRIC.logMessages, match: { level: ERROR_LOG_LEVELS.join('|') } },
    denominator: { metric: METRIC.logMessages },
  },
} as const satisfies Record<string, CounterRatio>;

/** Names of the built-in SLOs, as used in config (`guard.slos.<name>`) and output. */
export const SLO_NAMES = ['http_5xx_ratio', 'health_check_success_ratio', 'error_log_ratio'] as const;
export type BuiltinSloName = (typeof SLO_NAMES)[number];

/** The built-in SLOs with the defaults: 5xx ≤ 1 %, health checks ≥ 99.5 %, error logs ≤ 1 %. */
export const BUILTIN_SLOS: Record<BuiltinSloName, Omit<MetricCheck, 'name' | 'scope'>> = {
  http_5xx_ratio: {
    description: 'share of HTTP responses with a 5xx status',
    ratio: SLI.http5xxRatio,
    comparator: '<=',
    threshold: 0.01,
    noData: 'fail',
    unit: 'ratio',
  },
  health_check_success_ratio: {
    description: 'share of health checks that succeeded',
    ratio: SLI.healthCheckSuccessRatio,
    comparator: '>=',
    threshold: 0.995,
    noData: 'fail',
    unit: 'ratio',
  },
  error_log_ratio: {
    description: 'share of log lines at level error or fatal',
    ratio: SLI.errorLogRatio,
    comparator: '<=',
    threshold: 0.01,
    noData: 'fail',
    unit: 'ratio',
  },
};
