import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeEach } from 'vitest';
import { ConflictError, UsageError } from '../errors.js';
import type { GuardEvaluation } from './evaluation.js';
import {
  guardStatus,
  lockGuard,
  recordEvaluation,
  unlockGuard,
  type GuardContext,
  type LockOptions,
} from './guard.js';
import { LockFile } from './lock-file.js';

const MIN = 60_000;
let t: number;
let ctx: GuardContext;
let ids: number;

beforeEach(() => {
  t = Date.UTC(2026, 10, 26, 12, 0, 0);
  ids = 0;
  const file = new LockFile(join(mkdtempSync(join(tmpdir(), 'guard-')), 'qos.guard'));
  ctx = { file, now: () => t, actor: 'alice', host: 'ci-1', newId: () => `lock-${++ids}` };
});

const opts: LockOptions = {
  durationMs: 15 * MIN,
  reason: 'rollback of api',
  mode: 'slo',
  healthyEvaluations: 3,
};
const evaluation = (healthy: boolean): GuardEvaluation => ({ at: t, healthy, results: [] });

describe('the guard window', () => {
  it('is unlocked when no lock file exists', async () => {
    expect(await guardStatus(ctx)).toEqual({ locked: false });
  });

  it('stores the lock as JSON with who, why and until when', async () => {
    await lockGuard(ctx, opts);
    const onDisk = JSON.parse(readFileSync(ctx.file.path, 'utf8'));
    expect(onDisk).toMatchObject({
      by: 'alice',
      reason: 'rollback of api',
      until: '2026-11-26T12:15:00.000Z',
    });
    expect((await guardStatus(ctx)).phase).toBe('minimum');
  });

  it('refuses a lock without a reason', async () => {
    await expect(lockGuard(ctx, { ...opts, reason: ' ' })).rejects.toBeInstanceOf(UsageError);
  });

  it('removes an expired time lock on status and records the expiry', async () => {
    await lockGuard(ctx, { ...opts, mode: 'time', durationMs: 5 * MIN });
    t += 5 * MIN;
    const s = await guardStatus(ctx);
    expect(s).toMatchObject({ locked: false, expired: { reason: 'rollback of api' } });
    expect(existsSync(ctx.file.path)).toBe(false);
    expect((await ctx.file.history()).map((e) => e.event)).toEqual(['lock', 'expire']);
  });

  it('reads the original script’s lock file and expires it after 15 minutes', async () => {
    writeFileSync(ctx.file.path, `${t / 1000 - 14 * 60}\n`);
    expect(await guardStatus(ctx)).toMatchObject({ locked: true, lock: { legacy: true } });
    t += MIN;
    expect(await guardStatus(ctx)).toMatchObject({ locked: false, expired: { legacy: true } });
  });

  it('counts an unreadable lock file as locked', async () => {
    writeFileSync(ctx.file.path, 'garbage');
    expect(await guardStatus(ctx)).toMatchObject({ locked: true, corrupt: 'neither JSON nor epoch seconds' });
    await expect(unlockGuard(ctx, {})).rejects.toBeInstanceOf(ConflictError);
    await unlockGuard(ctx, { force: true, reason: 'hand-edited file' });
    expect(await guardStatus(ctx)).toEqual({ locked: false });
  });

  it('refuses a plain unlock before the release criteria hold', async () => {
    await lockGuard(ctx, opts);
    await expect(unlockGuard(ctx, {})).rejects.toThrow(/release criteria do not hold yet \(minimum\)/);
    t += 20 * MIN;
    await expect(unlockGuard(ctx, {})).rejects.toThrow(/awaiting_slo/);
  });

  it('records a forced unlock with who and why', async () => {
    await lockGuard(ctx, opts);
    await expect(unlockGuard(ctx, { force: true })).rejects.toBeInstanceOf(UsageError);
    ctx.actor = 'bob';
    expect(await unlockGuard(ctx, { force: true, reason: 'hotfix must ship' })).toMatchObject({
      forced: true,
    });
    const last = (await ctx.file.history()).at(-1);
    expect(last).toMatchObject({
      event: 'force_unlock',
      by: 'bob',
      host: 'ci-1',
      reason: 'hotfix must ship',
    });
  });

  it('releases after the minimum duration and K consecutive healthy evaluations, not before', async () => {
    const { lock } = await lockGuard(ctx, opts);
    for (let i = 0; i < 5; i++) {
      t += MIN;
      expect((await recordEvaluation(ctx, lock.id, evaluation(true))).released).toBe(false);
    }
    t += 10 * MIN;
    const r = await recordEvaluation(ctx, lock.id, evaluation(true));
    expect(r).toMatchObject({ released: true, status: { locked: false } });
    expect((await ctx.file.history()).map((e) => e.event)).toEqual(['lock', 'release']);
  });

  it('starts counting again after an unhealthy evaluation', async () => {
    const { lock } = await lockGuard(ctx, { ...opts, durationMs: MIN });
    t += 2 * MIN;
    await recordEvaluation(ctx, lock.id, evaluation(true));
    await recordEvaluation(ctx, lock.id, evaluation(true));
    await recordEvaluation(ctx, lock.id, evaluation(false));
    await recordEvaluation(ctx, lock.id, evaluation(true));
    const r = await recordEvaluation(ctx, lock.id, evaluation(true));
    expect(r.released).toBe(false);
    expect(r.status.lock?.release.healthyStreak).toBe(2);
    expect((await recordEvaluation(ctx, lock.id, evaluation(true))).released).toBe(true);
  });

  it('does not credit an evaluation to a lock taken again in the meantime', async () => {
    const first = await lockGuard(ctx, { ...opts, durationMs: MIN });
    t += 2 * MIN;
    await recordEvaluation(ctx, first.lock.id, evaluation(true));
    const second = await lockGuard(ctx, { ...opts, durationMs: MIN, reason: 'again' });
    expect(second.extended).toBe(true);
    const r = await recordEvaluation(ctx, first.lock.id, evaluation(true));
    expect(r.stale).toBe(true);
    expect(r.status.lock?.release.healthyStreak).toBe(0);
  });

  it('serialises concurrent lock calls: one lock, the rest extensions, nothing lost', async () => {
    const durations = Array.from({ length: 20 }, (_, i) => ((i * 7) % 20) + 1);
    await Promise.all(
      durations.map((m) => lockGuard(ctx, { ...opts, durationMs: m * MIN, reason: `r${m}` })),
    );
    const events = await ctx.file.history();
    expect(events.map((e) => e.event).sort()).toEqual(['lock', ...Array(19).fill('extend')].sort());
    expect((await guardStatus(ctx)).lock?.until).toBe('2026-11-26T12:20:00.000Z');
  });

  it('extends a live lock instead of shortening it', async () => {
    await lockGuard(ctx, { ...opts, durationMs: 30 * MIN });
    const { lock } = await lockGuard(ctx, { ...opts, durationMs: 5 * MIN, reason: 'second' });
    expect(lock.until).toBe('2026-11-26T12:30:00.000Z');
    expect((await ctx.file.history()).map((e) => e.event)).toEqual(['lock', 'extend']);
  });
});

describe('the latest evaluation in the lock file', () => {
  it('is written beside the lock, so the dashboard can show each SLO against its threshold', async () => {
    const { readGuardState } = await import('./read-state.js');
    const { lock } = await lockGuard(ctx, opts);
    t += MIN;
    await recordEvaluation(ctx, lock.id, {
      at: t,
      healthy: false,
      results: [
        {
          check: 'http_5xx_ratio',
          outcome: 'Failed',
          value: 0.034,
          values: [0.034],
          comparator: '<=',
          threshold: 0.01,
          noData: false,
          query: 'sum(rate(x[5m]))',
          message: '3.4% > 1%',
          at: t,
          unit: 'ratio',
        },
      ],
    });
    const state = await readGuardState({ lockFile: ctx.file.path, defaultLockFile: () => '' }, t);
    expect(state).toMatchObject({
      locked: true,
      evaluation: {
        healthy: false,
        results: [
          { check: 'http_5xx_ratio', outcome: 'Failed', value: 0.034, threshold: 0.01, unit: 'ratio' },
        ],
      },
    });
  });
});
