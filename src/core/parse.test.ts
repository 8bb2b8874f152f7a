import { describe, expect, it } from 'vitest';
import { ValidationError, type FieldProblem } from '../errors.js';
import { fingerprintOf } from './fingerprint.js';
import { formatPath, isRfc3339, parseNotification, ZERO_TIME } from './parse.js';

/** A body as Alertmanager 0.25 sends it (no notification_reason, no routeLabels). */
function body(
  overrides: Record<string, unknown> = {},
  alert: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    receiver: 'team-a',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'HighErrorRate', cluster: 'eu1', severity: 'critical' },
        annotations: { summary: 'error rate 12%' },
        startsAt: '2026-11-26T10:00:00.123456789Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
        fingerprint: 'aaaaaaaaaaaaaaaa',
        ...alert,
      },
    ],
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: { alertname: 'HighErrorRate', cluster: 'eu1', severity: 'critical' },
    commonAnnotations: { summary: 'error rate 12%' },
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: '{}:{alertname="HighErrorRate"}',
    truncatedAlerts: 0,
    ...overrides,
  };
}

function problemsOf(input: unknown): FieldProblem[] {
  try {
    parseNotification(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).problems;
  }
  throw new Error('expected a ValidationError');
}

const without = (key: string): Record<string, unknown> => {
  const b = body();
  delete b[key];
  return b;
};

describe('parseNotification accepts what Alertmanager sends', () => {
  it('keeps every field of a complete v4 body', () => {
    const n = parseNotification(body());
    expect(n).toEqual({
      version: '4',
      groupKey: '{}:{alertname="HighErrorRate"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'team-a',
      groupLabels: { alertname: 'HighErrorRate' },
      commonLabels: { alertname: 'HighErrorRate', cluster: 'eu1', severity: 'critical' },
      commonAnnotations: { summary: 'error rate 12%' },
      externalURL: 'http://alertmanager:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'HighErrorRate', cluster: 'eu1', severity: 'critical' },
          annotations: { summary: 'error rate 12%' },
          startsAt: '2026-11-26T10:00:00.123456789Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
          fingerprint: 'aaaaaaaaaaaaaaaa',
        },
      ],
    });
  });

  it.each([
    { name: 'missing optional maps become empty maps', field: 'groupLabels', expected: {} },
    { name: 'null optional maps become empty maps', field: 'commonAnnotations', value: null, expected: {} },
    { name: 'a missing truncatedAlerts counts as none truncated', field: 'truncatedAlerts', expected: 0 },
    { name: 'a missing externalURL becomes an empty string', field: 'externalURL', expected: '' },
  ])('$name', ({ field, value, expected }) => {
    const b = value === undefined ? without(field) : body({ [field]: value });
    expect(parseNotification(b)[field as keyof ReturnType<typeof parseNotification>]).toEqual(expected);
  });

  it.each([
    { name: 'missing annotations become an empty map', field: 'annotations', expected: {} },
    { name: 'a missing endsAt becomes Go zero time', field: 'endsAt', expected: ZERO_TIME },
    { name: 'a missing generatorURL becomes an empty string', field: 'generatorURL', expected: '' },
    {
      name: 'a missing fingerprint is computed from the labels',
      field: 'fingerprint',
      expected: fingerprintOf({ alertname: 'HighErrorRate', cluster: 'eu1', severity: 'critical' }),
    },
  ])('$name', ({ field, expected }) => {
    const n = parseNotification(body({}, { [field]: undefined }));
    expect(n.alerts[0]?.[field as 'endsAt']).toEqual(expected);
  });

  it('an empty fingerprint is computed from the labels too', () => {
    expect(parseNotification(body({}, { fingerprint: '' })).alerts[0]?.fingerprint).toBe(
      fingerprintOf({ alertname: 'HighErrorRate', cluster: 'eu1', severity: 'critical' }),
    );
  });

  it('unknown extra fields are ignored, at the top and inside alerts', () => {
    const n = parseNotification(body({ somethingNew: { x: 1 } }, { silencedBy: [] }));
    expect(n).not.toHaveProperty('somethingNew');
    expect(n.alerts[0]).not.toHaveProperty('silencedBy');
  });

  it.each([
    {
      name: 'Alertmanager 0.32 notification_reason maps to notificationReason',
      value: 'some alerts resolved',
    },
    { name: 'every protocol reason string is accepted', value: 'repeat interval elapsed' },
  ])('$name', ({ value }) => {
    expect(parseNotification(body({ notification_reason: value })).notificationReason).toBe(value);
  });

  it.each([
    { name: 'an unknown reason string is ignored', value: 'because the moon is full' },
    { name: 'an empty reason string is ignored', value: '' },
    { name: 'a reason that is not a string is ignored', value: 42 },
  ])('$name', ({ value }) => {
    expect(parseNotification(body({ notification_reason: value }))).not.toHaveProperty('notificationReason');
  });

  it('Alertmanager 0.34 routeLabels are kept', () => {
    expect(parseNotification(body({ routeLabels: { team: 'a' } })).routeLabels).toEqual({ team: 'a' });
  });

  it('a parsed notification parses back to itself', () => {
    const once = parseNotification(
      body({ notification_reason: 'first notification', routeLabels: { a: 'b' } }),
    );
    expect(parseNotification(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });
});

describe('parseNotification rejects bad input and names the field', () => {
  it.each([
    {
      name: 'a missing version is required',
      input: without('version'),
      field: 'version',
      problem: 'is required',
    },
    {
      name: 'a missing groupKey is required',
      input: without('groupKey'),
      field: 'groupKey',
      problem: 'is required',
    },
    {
      name: 'an empty groupKey is refused',
      input: body({ groupKey: '' }),
      field: 'groupKey',
      problem: 'must not be empty',
    },
    {
      name: 'a missing receiver is required',
      input: without('receiver'),
      field: 'receiver',
      problem: 'is required',
    },
    {
      name: 'a group status outside the protocol is refused',
      input: body({ status: 'pending' }),
      field: 'status',
      problem: 'must be one of firing, resolved',
    },
    {
      name: 'missing alerts are required',
      input: without('alerts'),
      field: 'alerts',
      problem: 'is required',
    },
    {
      name: 'an empty alert list is refused',
      input: body({ alerts: [] }),
      field: 'alerts',
      problem: 'must contain at least one alert',
    },
    {
      name: 'alerts that are not a list are refused',
      input: body({ alerts: {} }),
      field: 'alerts',
      problem: 'must be an array',
    },
    {
      name: 'an alert status outside the protocol names the alert',
      input: body({}, { status: 'FIRING' }),
      field: 'alerts[0].status',
      problem: 'must be one of firing, resolved',
    },
    {
      name: 'an alert without labels is refused',
      input: body({}, { labels: undefined }),
      field: 'alerts[0].labels',
      problem: 'is required',
    },
    {
      name: 'a label value that is not a string names the label',
      input: body({}, { labels: { alertname: 'X', replicas: 3 } }),
      field: 'alerts[0].labels.replicas',
      problem: 'must be a string',
    },
    {
      name: 'an annotation value that is not a string names the annotation',
      input: body({}, { annotations: { 'runbook url': true } }),
      field: 'alerts[0].annotations["runbook url"]',
      problem: 'must be a string',
    },
    {
      name: 'labels given as a list are refused',
      input: body({}, { labels: ['alertname'] }),
      field: 'alerts[0].labels',
      problem: 'must be an object',
    },
    {
      name: 'a missing startsAt is required',
      input: body({}, { startsAt: undefined }),
      field: 'alerts[0].startsAt',
      problem: 'is required',
    },
    {
      name: 'a startsAt that is not RFC 3339 is refused',
      input: body({}, { startsAt: '26/11/2026 10:00' }),
      field: 'alerts[0].startsAt',
      problem: 'must be an RFC 3339 timestamp',
    },
    {
      name: 'an endsAt that is not RFC 3339 is refused',
      input: body({}, { endsAt: 'soon' }),
      field: 'alerts[0].endsAt',
      problem: 'must be an RFC 3339 timestamp',
    },
    {
      name: 'a negative truncatedAlerts is refused',
      input: body({ truncatedAlerts: -1 }),
      field: 'truncatedAlerts',
      problem: 'must be at least 0',
    },
    {
      name: 'a fractional truncatedAlerts is refused',
      input: body({ truncatedAlerts: 1.5 }),
      field: 'truncatedAlerts',
      problem: 'must be a whole number',
    },
    {
      name: 'a commonLabels value that is not a string is refused',
      input: body({ commonLabels: { a: null } }),
      field: 'commonLabels.a',
      problem: 'must be a string',
    },
    {
      name: 'a version that is not a string is refused',
      input: body({ version: 4 }),
      field: 'version',
      problem: 'must be a string',
    },
    {
      name: 'a body that is not an object is refused as a whole',
      input: [body()],
      field: '',
      problem: 'body must be a JSON object',
    },
  ])('$name', ({ input, field, problem }) => {
    expect(problemsOf(input)).toContainEqual({ field, problem });
  });

  it('every problem of a body is reported at once, with the index of the alert', () => {
    const b = body({ status: 'nope' });
    (b.alerts as unknown[]).push({ status: 'resolved', labels: {}, startsAt: 'yesterday' });
    delete b.version;
    expect(problemsOf(b)).toEqual([
      { field: 'version', problem: 'is required' },
      { field: 'status', problem: 'must be one of firing, resolved' },
      { field: 'alerts[1].startsAt', problem: 'must be an RFC 3339 timestamp' },
    ]);
  });

  it('the error message lists each field with its problem, and the error maps to HTTP 400', () => {
    try {
      parseNotification(without('groupKey'));
      expect.unreachable();
    } catch (err) {
      expect((err as ValidationError).message).toBe('invalid notification: groupKey: is required');
      expect((err as ValidationError).httpStatus).toBe(400);
    }
  });
});

describe('isRfc3339', () => {
  it.each([
    { name: 'UTC with nanoseconds is valid', value: '2026-11-26T10:00:00.123456789Z', valid: true },
    { name: 'a numeric offset is valid', value: '2026-11-26T10:00:00+05:30', valid: true },
    { name: 'Go zero time is valid', value: '0001-01-01T00:00:00Z', valid: true },
    { name: 'a leap day in a leap year is valid', value: '2024-02-29T00:00:00Z', valid: true },
    { name: 'a leap day in a common year is invalid', value: '2026-02-29T00:00:00Z', valid: false },
    { name: 'month 13 is invalid', value: '2026-13-01T00:00:00Z', valid: false },
    { name: 'the 31st of a 30-day month is invalid', value: '2026-04-31T00:00:00Z', valid: false },
    { name: 'a century year is no leap year', value: '1900-02-29T00:00:00Z', valid: false },
    { name: 'but every 400th year is', value: '2000-02-29T00:00:00Z', valid: true },
    { name: 'hour 24 is invalid', value: '2026-11-26T24:00:00Z', valid: false },
    { name: 'a missing offset is invalid', value: '2026-11-26T10:00:00', valid: false },
    { name: 'a date alone is invalid', value: '2026-11-26', valid: false },
    { name: 'an epoch number as text is invalid', value: '1764151200', valid: false },
  ])('$name', ({ value, valid }) => {
    expect(isRfc3339(value)).toBe(valid);
  });
});

describe('formatPath', () => {
  it.each([
    { name: 'a top-level field is its name', path: ['groupKey'], expected: 'groupKey' },
    { name: 'array indexes use brackets', path: ['alerts', 2, 'status'], expected: 'alerts[2].status' },
    {
      name: 'odd keys are quoted',
      path: ['alerts', 0, 'labels', 'a.b'],
      expected: 'alerts[0].labels["a.b"]',
    },
    { name: 'the root is the empty path', path: [], expected: '' },
  ])('$name', ({ path, expected }) => {
    expect(formatPath(path)).toBe(expected);
  });
});
