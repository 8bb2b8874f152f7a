import { describe, it, expect } from 'vitest';
import type { GuardEvaluation } from './evaluation.js';
import { formatBriefing, formatEvaluation, formatStatus, statusJson } from './format.js';
import type { GuardStatus } from './guard.js';
import { newLock } from './lock.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const lock = newLock(
  {
    id: 'a',
    durationMs: 15 * 60_000,
    reason: 'rollback of api',
    by: 'alice',
    mode: 'slo',
    healthyEvaluations: 3,
  },
  T0,
);
const locked: GuardStatus = { locked: true, lock, phase: 'minimum', remainingMs: 12 * 60_000 };
const evaluation: GuardEvaluation = {
  at: T0,
  healthy: false,
  results: [
    {
      check: 'http_5xx_ratio',
      outcome: 'Failed',
      value: 0.2,
      values: [0.2],
      comparator: '<=',
      threshold: 0.01,
      noData: false,
      message: '20% <= 1% does not hold',
      at: T0,
    },
    {
      check: 'error_log_ratio',
      outcome: 'Error',
      values: [],
      comparator: '<=',
      threshold: 0.01,
      noData: false,
      message: 'provider error: cannot reach Prometheus',
      at: T0,
    },
  ],
};

describe('guard output', () => {
  it('says who locked, why, until when and how it will be released', () => {
    expect(formatStatus(locked)).toEqual([
      'locked since 2026-11-26T12:00:00.000Z by alice: rollback of api',
      'minimum until 2026-11-26T12:15:00.000Z (12m left)',
      'release: minimum duration, then 3 consecutive healthy evaluations (0/3 so far)',
      'state: minimum duration running',
    ]);
  });

  it('tells an unreadable lock file apart from a lock', () => {
    expect(formatStatus({ locked: true, corrupt: 'neither JSON nor epoch seconds' })[0]).toMatch(
      /^locked: the lock file cannot be read/,
    );
  });

  it('lists every SLO with its outcome under the evaluation verdict', () => {
    expect(formatEvaluation(evaluation)).toEqual([
      '2026-11-26T12:00:00.000Z NOT healthy',
      '  http_5xx_ratio: Failed — 20% <= 1% does not hold',
      '  error_log_ratio: Error — provider error: cannot reach Prometheus',
    ]);
  });

  it('briefs a channel with the lock state, time left and each SLO', () => {
    expect(formatBriefing(locked, evaluation)).toBe(
      [
        'QoS guard: LOCKED (rollback of api) — 12m of minimum left, 0/3 healthy evaluations.',
        '• http_5xx_ratio: Failed — 20% <= 1% does not hold',
        '• error_log_ratio: Error — provider error: cannot reach Prometheus',
      ].join('\n'),
    );
    expect(formatBriefing({ locked: false })).toBe('QoS guard: unlocked — deploys may proceed.');
  });

  it('leaves absent fields out of the JSON status', () => {
    expect(statusJson({ locked: false })).toEqual({ locked: false });
  });
});
