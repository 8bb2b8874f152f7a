/**
 * Validation of an Alertmanager webhook v4 body into a `Notification`.
 *
 * Strict where a wrong value would thread alerts wrongly (statuses, keys, labels, timestamps);
 * lenient where Alertmanager itself varies across versions and senders (optional maps, URLs,
 * `truncatedAlerts` before 0.21, `notification_reason` before 0.32, `routeLabels` before 0.34).
 * Unknown fields are ignored: Alertmanager adds fields over versions and a 4xx is never retried,
 * so rejecting them would lose notifications.
 */
import { z } from 'zod';
import { ValidationError, type FieldProblem } from '../errors.js';
import { fingerprintOf } from './fingerprint.js';
import { NOTIFICATION_REASONS, type Alert, type Notification, type NotificationReason } from './types.js';

/** Go's zero time: what Alertmanager sends as `endsAt` when an alert has no end yet. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

// Uppercase T and Z only, and no leap second: what Go's time.Parse(time.RFC3339, …) accepts.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * RFC 3339 date-time as Alertmanager writes it (Go's RFC3339Nano: up to 9 fraction digits, any
 * offset). Also guarantees `Date.parse` understands it, so later code can compute durations.
 */
export function isRfc3339(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  return !Number.isNaN(Date.parse(value));
}

/** Plain arithmetic: this runs for every timestamp of every webhook. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const requiredText = z.string().min(1, 'must not be empty');
const stringMap = z.record(z.string(), z.string());
const optionalMap = stringMap.nullish();
const timestamp = z.string().refine(isRfc3339, 'must be an RFC 3339 timestamp');

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: optionalMap,
  startsAt: timestamp,
  endsAt: timestamp.nullish(),
  generatorURL: z.string().nullish(),
  fingerprint: z.string().nullish(),
});

const notificationSchema = z.object({
  version: requiredText,
  groupKey: requiredText,
  truncatedAlerts: z.number().int().min(0).nullish(),
  status: z.enum(['firing', 'resolved']),
  receiver: requiredText,
  groupLabels: optionalMap,
  commonLabels: optionalMap,
  commonAnnotations: optionalMap,
  externalURL: z.string().nullish(),
  // Alertmanager never sends an empty list; an empty one is a sender bug worth a clear 400.
  alerts: z.array(alertSchema).min(1, 'must contain at least one alert'),
  notification_reason: z.unknown().optional(),
  notificationReason: z.unknown().optional(),
  routeLabels: optionalMap,
});

type RawAlert = z.infer<typeof alertSchema>;

/** Parses a webhook body; throws `ValidationError` naming every bad field by its path. */
export function parseNotification(body: unknown): Notification {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError([{ field: '', problem: 'body must be a JSON object' }], 'notification');
  }
  const result = notificationSchema.safeParse(body, { error: problemFor });
  if (!result.success) {
    const problems: FieldProblem[] = result.error.issues.map((issue) => ({
      field: formatPath(issue.path),
      problem: issue.message,
    }));
    throw new ValidationError(problems, 'notification');
  }
  const raw = result.data;
  const notification: Notification = {
    version: raw.version,
    groupKey: raw.groupKey,
    truncatedAlerts: raw.truncatedAlerts ?? 0,
    status: raw.status,
    receiver: raw.receiver,
    groupLabels: raw.groupLabels ?? {},
    commonLabels: raw.commonLabels ?? {},
    commonAnnotations: raw.commonAnnotations ?? {},
    externalURL: raw.externalURL ?? '',
    alerts: raw.alerts.map(toAlert),
  };
  // The protocol field is snake_case; the camelCase form is our own, so a stored Notification
  // parses back to itself.
  const reason = knownReason(raw.notification_reason) ?? knownReason(raw.notificationReason);
  if (reason) notification.notificationReason = reason;
  if (raw.routeLabels) notification.routeLabels = raw.routeLabels;
  return notification;
}

function toAlert(raw: RawAlert): Alert {
  return {
    status: raw.status,
    labels: raw.labels,
    annotations: raw.annotations ?? {},
    startsAt: raw.startsAt,
    endsAt: raw.endsAt ?? ZERO_TIME,
    generatorURL: raw.generatorURL ?? '',
    fingerprint: raw.fingerprint || fingerprintOf(raw.labels),
  };
}

/** A reason we do not know (a newer Alertmanager, "" from some versions) is ignored, not an error. */
function knownReason(value: unknown): NotificationReason | undefined {
  return NOTIFICATION_REASONS.find((r) => r === value);
}

type RawIssue = z.core.$ZodRawIssue;

/** Our wording for zod's issues: short, about the field, no type-system jargon. */
function problemFor(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required';
      const expected = String(issue.expected);
      if (expected === 'record' || expected === 'object') return 'must be an object';
      if (expected === 'int') return 'must be a whole number';
      return `must be ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return issue.origin === 'number' ? `must be at least ${String(issue.minimum)}` : undefined;
    default:
      return undefined;
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** ["alerts", 0, "labels", "a b"] → `alerts[0].labels["a b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
