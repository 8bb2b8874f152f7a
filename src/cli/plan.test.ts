import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../errors.js';
import { pickVersion } from './pick-version.js';
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

describe('threader plan --observe', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('plans from what the driver and nginx report, and says the fleet was observed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-observe-'));
    const config = join(dir, 'deploy.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        service: 'svc',
        environments: {
          staging: {
            instances: [
              { name: 'a', host: '127.0.0.1', port: 9101 },
              { name: 'b', host: '127.0.0.1', port: 9102 },
            ],
            driver: { type: 'process', stateDir: './run' },
            run: { command: ['node', 'svc.mjs'] },
            traffic: { configFile: './upstream.conf', upstream: 'svc' },
          },
        },
      }),
    );
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    await main(['plan', '--config', config, '--env', 'staging', 'v2', '--observe', '--json']);
    const printed = JSON.parse(out.join('')) as {
      fleetSource: string;
      fleet: unknown;
      plan: { notes: string[] };
    };
    expect(printed.fleetSource).toBe('observed');
    expect(printed.fleet).toEqual({ versions: {}, weights: {} });
    expect(printed.plan.notes[0]).toMatch(
      /fleet observed from the process driver and nginx: asked for with --observe/,
    );
    expect(process.exitCode).toBe(1);
  });
});
