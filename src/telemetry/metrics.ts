import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createDeployMetrics } from './deploy-metrics.js';

/**
 * Every metric `threader serve` exports, in one registry per app (tests run several apps in one
 * process). Names are a contract: Prometheus rules, the Grafana dashboard and the guard's default
 * SLO queries use them (docs/metrics.md).
 */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'threader_' });
  const m = {
    registry,
    httpRequests: new Counter({
      name: 'threader_http_requests_total',
      help: 'HTTP requests by route, method and status code.',
      labelNames: ['route', 'method', 'code'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'threader_http_request_duration_seconds',
      help: 'HTTP request duration by route.',
      labelNames: ['route', 'method'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    logMessages: new Counter({
      name: 'threader_log_messages_total',
      help: 'Log lines written, by level (error-log ratio SLI).',
      labelNames: ['level'] as const,
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'threader_notifications_total',
      help: 'Alertmanager notifications processed, by result (the decision reason).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    healthChecks: new Counter({
      name: 'threader_health_checks_total',
      help: 'Health checks answered, by target (self = this process) and result (success, failure).',
      labelNames: ['target', 'result'] as const,
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'threader_webhooks_received_total',
      help: 'Webhook requests, by outcome (accepted, invalid, unauthorized, too_large, store_unavailable).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'threader_duplicates_dropped_total',
      help: 'Notifications that changed nothing (Alertmanager retries, HA peers) and caused no Slack traffic.',
      registers: [registry],
    }),
    slackCalls: new Counter({
      name: 'threader_slack_calls_total',
      help: 'Slack Web API calls by method and result (ok or Slack error string).',
      labelNames: ['method', 'result'] as const,
      registers: [registry],
    }),
    slackRateLimited: new Counter({
      name: 'threader_slack_rate_limited_total',
      help: 'HTTP 429 answers from Slack, by method.',
      labelNames: ['method'] as const,
      registers: [registry],
    }),
    slackRetryAfter: new Counter({
      name: 'threader_slack_retry_after_seconds_total',
      help: 'Sum of Retry-After seconds Slack asked us to wait.',
      labelNames: ['method'] as const,
      registers: [registry],
    }),
    slackReconciled: new Counter({
      name: 'threader_slack_reconciled_total',
      help: 'Posts whose response was lost, found again in Slack instead of being posted twice.',
      registers: [registry],
    }),
    deliveryFailures: new Counter({
      name: 'threader_delivery_failures_total',
      help: 'Outbox items that failed permanently (not retried), by Slack error.',
      labelNames: ['error'] as const,
      registers: [registry],
    }),
    outboxDepth: new Gauge({
      name: 'threader_outbox_depth',
      help: 'Slack actions waiting to be delivered.',
      registers: [registry],
    }),
    outboxOldestAge: new Gauge({
      name: 'threader_outbox_oldest_age_seconds',
      help: 'Age of the oldest undelivered Slack action (0 when empty).',
      registers: [registry],
    }),
    openThreads: new Gauge({
      name: 'threader_open_threads',
      help: 'Alert threads whose episode is still firing.',
      registers: [registry],
    }),
    episodes: new Counter({
      name: 'threader_episodes_total',
      help: 'Alert episodes opened (each one Slack thread).',
      registers: [registry],
    }),
    stormActive: new Gauge({
      name: 'threader_storm_active',
      help: 'Storm digest mode per channel (1 = new groups go to the digest, 0 = own threads).',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    stormDigested: new Counter({
      name: 'threader_storm_digested_groups_total',
      help: 'New alert groups collected into a storm digest instead of their own thread, by channel.',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    parentsReplaced: new Counter({
      name: 'threader_parents_replaced_total',
      help: 'Thread parents replaced by a fresh one, by reason (parent_deleted, edit_refused).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    channelFallbacks: new Counter({
      name: 'threader_channel_fallbacks_total',
      help: 'Threads moved to the default channel, by reason (channel_archived, channel_not_found).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    guardLocked: new Gauge({
      name: 'threader_guard_locked',
      help: 'QoS guard lock file state as serve reads it: 1 = locked (or unreadable: fails closed), 0 = unlocked.',
      registers: [registry],
    }),
    guardLockRemaining: new Gauge({
      name: 'threader_guard_lock_remaining_seconds',
      help: "Seconds left of the guard lock's minimum duration (0 when unlocked or the minimum is over).",
      registers: [registry],
    }),
    guardHealthyEvaluations: new Gauge({
      name: 'threader_guard_healthy_evaluations',
      help: 'Consecutive healthy SLO evaluations credited to the current guard lock (k of K).',
      registers: [registry],
    }),
    guardHealthyEvaluationsRequired: new Gauge({
      name: 'threader_guard_healthy_evaluations_required',
      help: 'Consecutive healthy evaluations the current guard lock needs to release (K; 0 when unlocked or time-based).',
      registers: [registry],
    }),
    guardSloValue: new Gauge({
      name: 'threader_guard_slo_value',
      help: "Each SLO's value in the latest evaluation recorded in the guard lock file, by SLO name.",
      labelNames: ['slo'] as const,
      registers: [registry],
    }),
    guardSloThreshold: new Gauge({
      name: 'threader_guard_slo_threshold',
      help: "Each SLO's threshold in the latest evaluation recorded in the guard lock file, by SLO name.",
      labelNames: ['slo'] as const,
      registers: [registry],
    }),
    pendingNotifications: new Gauge({
      name: 'threader_pending_notifications',
      help: 'Accepted notifications not yet turned into thread state.',
      registers: [registry],
    }),
    /** threader_deploy*: read from the deploy records at scrape time (deploy-metrics.ts). */
    deploys: createDeployMetrics(registry),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
