import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { configSchema } from './schema.js';
import { loadConfig } from './load.js';

const PG = 'postgres://threader@127.0.0.1:5432/threader';

/** What config load says about `store.lease` for a set of settings: undefined when accepted. */
function leaseProblem(raw: Record<string, unknown>): string | undefined {
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return undefined;
  return parsed.error.issues
    .filter((i) => i.path.join('.') === 'store.lease')
    .map((i) => i.message)
    .join('; ');
}

describe('store.lease against the Slack call timeout (replicas on PostgreSQL)', () => {
  it.each([
    ['the defaults (15 s lease, 10 s Slack timeout) are accepted', { store: { db: PG } }, undefined],
    [
      'a lease barely longer than the Slack timeout is refused',
      { store: { db: PG, lease: '11s' } },
      'must be at least slack.timeout + 2s (12s)',
    ],
    [
      'a longer Slack timeout needs a longer lease',
      { store: { db: PG }, slack: { timeout: '30s' } },
      'must be at least slack.timeout + 2s (32s)',
    ],
    [
      'a lease long enough for the longer timeout is accepted',
      { store: { db: PG, lease: '32s' }, slack: { timeout: '30s' } },
      undefined,
    ],
    [
      'SQLite has no replicas: its unused lease is not checked',
      { store: { db: './x.db', lease: '1s' } },
      undefined,
    ],
  ])('%s', (_name, raw, problem) => {
    const found = leaseProblem(raw);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it('config load names the path when THREADER_DB chose PostgreSQL for a file with a short lease', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threader-lease-'));
    const path = join(dir, 'threader.yaml');
    writeFileSync(path, 'store:\n  lease: 8s\n');
    const err = await loadConfig({ configPath: path, env: { THREADER_DB: PG } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).problems.map((p) => p.field)).toEqual(['store.lease']);
    expect(String((err as Error).message)).not.toContain('threader@127.0.0.1');
  });
});
