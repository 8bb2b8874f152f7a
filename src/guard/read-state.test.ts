import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../telemetry/metrics.js';
import { setGuardGauges } from './guard-gauges.js';
import { newLock, serializeLock } from './lock.js';
import { readGuardState, recordedEvaluation } from './read-state.js';

const T0 = Date.parse('2026-11-26T12:00:00Z');
const dir = () => mkdtempSync(join(tmpdir(), 'guard-read-'));
const lock = newLock(
  { id: 'l1', durationMs: 600_000, reason: 'bad canary', by: 'ci', mode: 'slo', healthyEvaluations: 3 },
  T0,
);
const evaluation = {
  at: '2026-11-26T12:01:00Z',
  healthy: false,
  results: [
    {
      check: 'http_5xx_ratio',
      outcome: 'Failed',
      value: 0.05,
      comparator: '<=',
      threshold: 0.01,
      unit: 'ratio',
      message: '5% <= 1% does not hold',
    },
    {
      check: 'error_log_ratio',
      outcome: 'Failed',
      comparator: '<=',
      threshold: 0.01,
      message: 'no data (policy: fail)',
    },
  ],
};

describe('readGuardState', () => {
  it('says no guard is configured when nothing names a file and none exists at the default place', async () => {
    const d = dir();
    expect(await readGuardState({ defaultLockFile: () => join(d, 'qos.guard') }, T0)).toEqual({
      configured: false,
    });
  });

  it('a named file that does not exist is an unlocked guard', async () => {
    const file = join(dir(), 'qos.guard');
    expect(await readGuardState({ lockFile: file, defaultLockFile: () => 'unused' }, T0)).toEqual({
      configured: true,
      file,
      locked: false,
    });
  });

  it('a lock at the default place counts even when nothing names it', async () => {
    const file = join(dir(), 'qos.guard');
    writeFileSync(file, serializeLock(lock));
    const s = await readGuardState({ defaultLockFile: () => file }, T0 + 60_000);
    expect(s).toMatchObject({ configured: true, locked: true, phase: 'minimum', remainingMs: 540_000 });
  });

  it('reads the latest evaluation a watcher recorded in the lock', async () => {
    const file = join(dir(), 'qos.guard');
    writeFileSync(file, JSON.stringify({ ...lock, lastEvaluation: evaluation }));
    const s = await readGuardState({ lockFile: file, defaultLockFile: () => file }, T0);
    expect(s.configured && s.locked && 'lock' in s && s.evaluation).toEqual(recordedEvaluation(evaluation));
  });

  it('reports an expired lock as unlocked without removing the file (a reader never writes)', async () => {
    const file = join(dir(), 'qos.guard');
    const timeLock = { ...lock, release: { ...lock.release, mode: 'time' as const } };
    writeFileSync(file, serializeLock(timeLock));
    const s = await readGuardState({ lockFile: file, defaultLockFile: () => file }, T0 + 700_000);
    expect(s).toMatchObject({ configured: true, locked: false, expired: { reason: 'bad canary' } });
    expect((await readGuardState({ lockFile: file, defaultLockFile: () => file }, T0)).configured).toBe(true);
  });

  it('an unreadable lock file counts as locked (fail closed)', async () => {
    const file = join(dir(), 'qos.guard');
    writeFileSync(file, 'garbage');
    expect(await readGuardState({ lockFile: file, defaultLockFile: () => file }, T0)).toMatchObject({
      locked: true,
      corrupt: 'neither JSON nor epoch seconds',
    });
  });
});

describe('recordedEvaluation', () => {
  const cases: Array<[string, unknown, number | undefined]> = [
    ['keeps well-formed results', evaluation, 2],
    [
      'drops a result with an unknown outcome',
      { ...evaluation, results: [{ ...evaluation.results[0], outcome: 'Great' }] },
      0,
    ],
    ['is nothing without a time', { ...evaluation, at: 'yesterday' }, undefined],
    ['is nothing when absent', undefined, undefined],
  ];
  it.each(cases)('%s', (_name, raw, count) => {
    expect(recordedEvaluation(raw)?.results.length).toBe(count);
  });
});

describe('setGuardGauges', () => {
  async function exposition(state: Parameters<typeof setGuardGauges>[1]) {
    const m = createMetrics({ defaultMetrics: false });
    setGuardGauges(m, state);
    return (await m.registry.metrics()).split('\n').filter((l) => l.startsWith('threader_guard_'));
  }

  it('exports lock, time left, k of K and each recorded SLO value', async () => {
    const s = {
      configured: true as const,
      file: 'f',
      locked: true as const,
      lock: { ...lock, release: { ...lock.release, healthyStreak: 2 } },
      phase: 'minimum' as const,
      remainingMs: 90_000,
      evaluation: recordedEvaluation(evaluation),
    };
    expect(await exposition(s)).toEqual([
      'threader_guard_locked 1',
      'threader_guard_lock_remaining_seconds 90',
      'threader_guard_healthy_evaluations 2',
      'threader_guard_healthy_evaluations_required 3',
      'threader_guard_slo_value{slo="http_5xx_ratio"} 0.05',
      'threader_guard_slo_threshold{slo="http_5xx_ratio"} 0.01',
      'threader_guard_slo_threshold{slo="error_log_ratio"} 0.01',
    ]);
  });

  it('an unreadable lock file exports locked, and no guard at all exports unlocked', async () => {
    expect(await exposition({ configured: true, file: 'f', locked: true, corrupt: 'x' })).toContain(
      'threader_guard_locked 1',
    );
    expect(await exposition({ configured: false })).toContain('threader_guard_locked 0');
  });
});
