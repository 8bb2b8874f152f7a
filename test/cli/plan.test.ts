import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../src/deploy/plan.js';
import { loadDeploySpec } from '../../src/deploy/spec.js';
import { openDeployStore } from '../../src/store/deploy-sqlite.js';
import { runThreader } from '../helpers/process.js';

const dir = mkdtempSync(join(tmpdir(), 'plan-cli-'));
const config = join(dir, 'deploy.yaml');
writeFileSync(
  config,
  `service: svc
environments:
  staging:
    instances:
      - { name: a, host: 127.0.0.1, port: 9101 }
      - { name: b, host: 127.0.0.1, port: 9102 }
      - { name: c, host: 127.0.0.1, port: 9103 }
      - { name: d, host: 127.0.0.1, port: 9104 }
    driver: { type: process }
    run: { command: [node, svc.mjs, '{port}'] }
    traffic: { configFile: up.conf, upstream: svc }
`,
);
const noDb = ['--state-db', join(dir, 'missing', 'none.db')];

describe('threader plan', () => {
  it('prints the batches and exits 1 when a deploy would change the fleet, without creating a state database', async () => {
    const r = await runThreader(['plan', '--config', config, '--env', 'staging', 'v1', ...noDb]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Plan: rolling deploy of v1 to staging (now: nothing running)');
    expect(r.stdout).toContain('Batches (maxSurge 1, maxUnavailable 1 of 4): [a] [b] [c] [d]');
    expect(r.stdout).toMatch(/mandated waits \d+s · worst case/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('reads the fleet from the last succeeded deploy and exits 0 when nothing would change', async () => {
    const db = join(dir, 'state.db');
    const env = (await loadDeploySpec(config)).environments.staging!;
    const plan = planDeploy(env, { versions: {}, weights: {} }, 'v1');
    const store = await openDeployStore(db);
    await store.create({
      id: 'd1',
      env: 'staging',
      service: 'svc',
      strategy: 'rolling',
      fromVersion: null,
      toVersion: 'v1',
      by: 'test',
      status: 'running',
      plan,
      stepIndex: 0,
      createdAt: 1,
      updatedAt: 1,
      finishedAt: null,
    });
    await store.update('d1', { status: 'succeeded', stepIndex: plan.steps.length, finishedAt: 2 });
    await store.close();

    const same = await runThreader(['plan', '--config', config, '--env', 'staging', 'v1', '--state-db', db]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('No changes');

    const next = await runThreader([
      'plan',
      '--config',
      config,
      '--env',
      'staging',
      '--to',
      'v2',
      '--state-db',
      db,
      '--json',
    ]);
    expect(next.code).toBe(1);
    const out = JSON.parse(next.stdout) as {
      changes: boolean;
      lastDeploy: string;
      plan: { fromVersion: string; steps: unknown[] };
    };
    expect(out).toMatchObject({ changes: true, lastDeploy: 'd1', plan: { fromVersion: 'v1' } });
    expect(out.plan.steps.length).toBeGreaterThan(0);
  });

  it('exits 2 on an unknown environment, a bad strategy or a broken config', async () => {
    const unknown = await runThreader(['plan', '--config', config, '--env', 'prod', 'v1', ...noDb]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no environment "prod"');
    const strategy = await runThreader([
      'plan',
      '--config',
      config,
      '--env',
      'staging',
      '--strategy',
      'yolo',
      'v1',
    ]);
    expect(strategy.code).toBe(2);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'service: svc\nenvironments: { staging: { instances: [] } }\n');
    const invalid = await runThreader(['plan', '--config', broken, '--env', 'staging', 'v1']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('environments.staging.instances');
  });

  it('check-config recognises a deploy config by its environments key', async () => {
    const r = await runThreader(['check-config', config]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('deploy: service svc, environments staging (4 instance(s), rolling)');
  });
});
