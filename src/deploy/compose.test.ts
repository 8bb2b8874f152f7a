import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockFile } from '../guard/lock-file.js';
import { deployGuard } from './compose.js';
import { testEnv } from './plan-fixtures.test-suite.js';

function threaderYaml(guard: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'compose-'));
  const path = join(dir, 'threader.yaml');
  writeFileSync(path, `guard:\n${guard}`);
  return path;
}

const pathOf = (g: Awaited<ReturnType<typeof deployGuard>>) => (g.ctx.file as LockFile).path;

describe('the guard a deploy locks after an automatic rollback', () => {
  it('follows the guard config the environment names: its lock file and release criteria', async () => {
    const config = threaderYaml(
      '  lockFile: /tmp/shared.guard\n  release: { mode: slo, healthyEvaluations: 5, maxLockDuration: 2h }\n',
    );
    const g = await deployGuard(testEnv({ guard: { config } }), 'alice', {});
    expect(g.release).toEqual({ mode: 'slo', healthyEvaluations: 5, maxLockDurationMs: 7_200_000 });
    expect(pathOf(g)).toBe('/tmp/shared.guard');
    expect(g.source).toBe(config);
  });

  it("reads $THREADER_CONFIG's guard section when the environment names none", async () => {
    const config = threaderYaml('  release: { mode: time }\n');
    const g = await deployGuard(testEnv(), 'alice', { THREADER_CONFIG: config });
    expect(g.release).toMatchObject({ mode: 'time' });
  });

  it("keeps the environment's own lock file over the config's", async () => {
    const config = threaderYaml('  lockFile: /tmp/shared.guard\n');
    const g = await deployGuard(testEnv({ guard: { config, lockFile: '/tmp/own.guard' } }), 'alice', {});
    expect(pathOf(g)).toBe('/tmp/own.guard');
  });

  it('without a guard config: SLO release after 3 healthy evaluations', async () => {
    const g = await deployGuard(testEnv(), 'alice', { THREADER_GUARD_FILE: '/tmp/env.guard' });
    expect(g.release).toEqual({ mode: 'slo', healthyEvaluations: 3 });
    expect(pathOf(g)).toBe('/tmp/env.guard');
    expect(g.source).toBeUndefined();
  });
});
