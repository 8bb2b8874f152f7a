import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../errors.js';
import { pickVersion } from './deploy-run.js';
import { main } from './main.js';

describe('the version of plan and deploy', () => {
  it.each([
    ['positional', 'v2', {}, 'v2'],
    ['--version', undefined, { version: 'v2' }, 'v2'],
    ['--to', undefined, { to: 'v2' }, 'v2'],
    ['the same one twice', 'v2', { version: 'v2' }, 'v2'],
    ['none (deploy --resume)', undefined, {}, undefined],
  ])('is read from %s', (_name, positional, flags, version) => {
    expect(pickVersion(positional, flags)).toBe(version);
  });

  it('two different versions are a usage error, not a guess', () => {
    expect(() => pickVersion('v2', { version: 'v3' })).toThrow(UsageError);
    expect(() => pickVersion(undefined, { version: 'v2', to: 'v3' })).toThrow(/v2, v3/);
  });
});

describe('threader plan --version', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it("is the plan's version, not the program's", async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    const stateDb = join(mkdtempSync(join(tmpdir(), 'plan-cli-')), 'none.db');
    const argv = ['plan', '--config', 'examples/deploy/deploy.yaml', '--env', 'staging'];
    await main([...argv, '--version', 'v9', '--state-db', stateDb, '--json']);
    const printed = JSON.parse(out.join('')) as { changes: boolean; plan: { toVersion: string } };
    expect(printed).toMatchObject({ changes: true, plan: { toVersion: 'v9' } });
    expect(process.exitCode).toBe(1);
  });
});
