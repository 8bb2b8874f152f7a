import { describe, it, expect } from 'vitest';
import {
  extendLock,
  lockPhase,
  newLock,
  parseLockFile,
  remainingMs,
  serializeLock,
  withEvaluation,
  type GuardLock,
  type LockRequest,
} from './lock.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const MIN = 60_000;
const req: LockRequest = {
  id: 'a',
  durationMs: 15 * MIN,
  reason: 'rollback',
  by: 'alice',
  mode: 'slo',
  healthyEvaluations: 3,
};
const slo = newLock(req, T0);
const timed = newLock({ ...req, mode: 'time' }, T0);
const healthy = (lock: GuardLock, n: number, at: number) => {
  let l = lock;
  for (let i = 0; i < n; i++) l = withEvaluation(l, true, at);
  return l;
};

describe('newLock', () => {
  it('stores when, until when, why, who and the release criteria', () => {
    expect(slo).toEqual({
      id: 'a',
      lockedAt: '2026-11-26T12:00:00.000Z',
      until: '2026-11-26T12:15:00.000Z',
      reason: 'rollback',
      by: 'alice',
      release: { mode: 'slo', healthyEvaluations: 3, healthyStreak: 0 },
    });
  });
  it('stores its own duration, so `lock 5m` lasts five minutes whatever status is asked', () => {
    expect(remainingMs(newLock({ ...req, durationMs: 5 * MIN }, T0), T0 + MIN)).toBe(4 * MIN);
  });
});

describe('lockPhase', () => {
  it.each<[string, GuardLock, number, string]>([
    ['a time lock holds until its end', timed, T0 + 14 * MIN, 'minimum'],
    ['a time lock expires at its end', timed, T0 + 15 * MIN, 'expired'],
    [
      'an slo lock holds through its minimum even when healthy',
      healthy(slo, 5, T0),
      T0 + 10 * MIN,
      'minimum',
    ],
    [
      'an slo lock past its minimum waits for healthy evaluations',
      healthy(slo, 2, T0),
      T0 + 20 * MIN,
      'awaiting_slo',
    ],
    [
      'an slo lock past its minimum with K healthy evaluations is releasable',
      healthy(slo, 3, T0),
      T0 + 20 * MIN,
      'releasable',
    ],
    ['an slo lock never expires on time alone without a cap', slo, T0 + 1_000 * MIN, 'awaiting_slo'],
    [
      'an slo lock with a hard cap expires at the cap',
      newLock({ ...req, maxLockDurationMs: 60 * MIN }, T0),
      T0 + 60 * MIN,
      'expired',
    ],
  ])('%s', (_name, lock, now, phase) => {
    expect(lockPhase(lock, now)).toBe(phase);
  });

  it('starts the count again after one unhealthy evaluation', () => {
    const broken = withEvaluation(healthy(slo, 2, T0), false, T0);
    expect(healthy(broken, 2, T0).release.healthyStreak).toBe(2);
    expect(lockPhase(healthy(broken, 2, T0), T0 + 20 * MIN)).toBe('awaiting_slo');
  });
});

describe('extendLock', () => {
  it('keeps the start, takes the later end, the newer reason, and resets the streak', () => {
    const first = healthy(newLock({ ...req, durationMs: 30 * MIN }, T0), 2, T0);
    const second = newLock(
      { ...req, id: 'b', durationMs: 5 * MIN, reason: 'second rollback', by: 'bob' },
      T0 + MIN,
    );
    expect(extendLock(first, second)).toMatchObject({
      id: 'b',
      lockedAt: first.lockedAt,
      until: first.until,
      reason: 'second rollback',
      by: 'bob',
      release: { mode: 'slo', healthyStreak: 0 },
    });
  });
  it('turns a time lock into an slo lock when either asks for SLOs', () => {
    expect(extendLock(timed, { ...slo, id: 'b' }).release.mode).toBe('slo');
  });
});

describe('parseLockFile', () => {
  it('reads its own JSON back', () => {
    expect(parseLockFile(serializeLock(slo))).toEqual({ kind: 'lock', lock: slo });
  });
  it('reads the original script’s epoch seconds as a 15-minute time lock', () => {
    const parsed = parseLockFile(`${T0 / 1000}\n`);
    expect(parsed.kind).toBe('lock');
    const lock = (parsed as { lock: GuardLock }).lock;
    expect(lock).toMatchObject({
      lockedAt: '2026-11-26T12:00:00.000Z',
      until: '2026-11-26T12:15:00.000Z',
      legacy: true,
    });
    expect(lock.release.mode).toBe('time');
  });
  it.each([
    ['garbage', 'locked!'],
    ['JSON of another shape', '{"locked": true}'],
    ['an empty file', ''],
  ])('reports %s as corrupt', (_name, text) => {
    expect(parseLockFile(text).kind).toBe('corrupt');
  });

  it('a healthy evaluation too soon after the last counted one does not count; an unhealthy one always resets', () => {
    const first = withEvaluation(healthy(slo, 0, T0), true, T0, 30_000);
    expect(first.release.healthyStreak).toBe(1);
    expect(withEvaluation(first, true, T0 + 10_000, 30_000).release.healthyStreak).toBe(1);
    expect(withEvaluation(first, true, T0 + 30_000, 30_000).release.healthyStreak).toBe(2);
    expect(withEvaluation(first, false, T0 + 1_000, 30_000).release.healthyStreak).toBe(0);
  });

  it('a lock file asking for zero healthy evaluations still needs one (fail closed)', () => {
    const parsed = parseLockFile(
      JSON.stringify({
        ...newLock(req, T0),
        release: { mode: 'slo', healthyEvaluations: 0, healthyStreak: 0 },
      }),
    );
    expect(parsed.kind === 'lock' && parsed.lock.release.healthyEvaluations).toBe(1);
  });
});
