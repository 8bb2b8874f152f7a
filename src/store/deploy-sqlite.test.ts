import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from './sqlite-driver.js';
import { afterAll, describe, expect, it } from 'vitest';
import { deployRecord, deployStoreContract } from './deploy-contract.test-suite.js';
import { openDeployStore } from './deploy-sqlite.js';
import { FINAL_STATUSES, type DeployStoreWithControls } from './deploy-types.js';
import { deploySqliteMigrations } from './deploy-sqlite-schema.js';

const opened: DeployStoreWithControls[] = [];
const track = async (p: Promise<DeployStoreWithControls>) => {
  const s = await p;
  opened.push(s);
  return s;
};
afterAll(async () => Promise.all(opened.map((s) => s.close())));

deployStoreContract('sqlite', () => track(openDeployStore(':memory:')));

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'threader-deploys-')), 'nested', 'deploys.db');

describe('sqlite deploy store on disk', () => {
  it('creates parent directories, keeps records across a reopen and applies migrations once', async () => {
    const path = tempDb();
    const a = await openDeployStore(path);
    await a.create(deployRecord());
    await a.close();
    const b = await track(openDeployStore(path));
    expect((await b.active('production'))?.id).toBe('d-1');
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM deploy_schema_migrations').get()).toEqual({
      n: deploySqliteMigrations.length,
    });
    db.close();
  });

  it('holds the environment lock across connections: a second process is refused by name', async () => {
    const path = tempDb();
    const deployer = await track(openDeployStore(path));
    const other = await track(openDeployStore(path));
    await deployer.create(deployRecord());
    await expect(other.create(deployRecord({ id: 'd-2', by: 'bob' }))).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('deploy d-1 by alice'),
    });
  });

  it('carries `threader approve` from another process to the executor', async () => {
    const path = tempDb();
    const executor = await track(openDeployStore(path));
    const cli = await track(openDeployStore(path));
    await executor.create(deployRecord({ status: 'waiting-approval' }));
    await cli.requestControl('d-1', { action: 'approve', by: 'bob' }, 5);
    expect((await executor.takeControls('d-1')).map((c) => [c.action, c.by])).toEqual([['approve', 'bob']]);
    expect(await cli.takeControls('d-1')).toEqual([]);
  });

  it('lets the database itself refuse a second active deploy, even one written behind the store’s back', async () => {
    const path = tempDb();
    const store = await track(openDeployStore(path));
    await store.create(deployRecord());
    const db = new Database(path);
    const insert = () =>
      db
        .prepare(
          "INSERT INTO deploys (id, env, status, created_at, updated_at, record) VALUES ('d-9', 'production', 'paused', 1, 1, '{}')",
        )
        .run();
    expect(insert).toThrow(/UNIQUE/);
    db.close();
  });

  it('upgrades a database written before controls named their gate: a pending request is kept and still taken', async () => {
    const path = tempDb();
    const old = await track(openDeployStore(path));
    await old.create(deployRecord({ status: 'waiting-approval' }));
    await old.close();
    // As the first release left it: migration 1 only, a request waiting in the old columns.
    const db = new Database(path);
    db.exec('ALTER TABLE deploy_controls DROP COLUMN step; ALTER TABLE deploy_controls DROP COLUMN refused;');
    db.prepare('DELETE FROM deploy_schema_migrations WHERE version > 1').run();
    db.prepare(
      "INSERT INTO deploy_controls (deploy_id, action, by, at) VALUES ('d-1', 'approve', 'bob', 5)",
    ).run();
    db.close();
    const upgraded = await track(openDeployStore(path));
    expect(await upgraded.takeControls('d-1', 6)).toEqual([
      { deployId: 'd-1', seq: 1, action: 'approve', by: 'bob', at: 5 },
    ]);
    await upgraded.requestControl('d-1', { action: 'approve', by: 'carol', step: 0 }, 7);
    expect((await upgraded.controlLog('d-1')).map((c) => c.step)).toEqual([undefined, 0]);
  });

  it('lists exactly the final statuses in the one-active-deploy index', () => {
    const sql = deploySqliteMigrations[0] ?? '';
    const listed = /WHERE status NOT IN \(([^)]*)\)/.exec(sql)?.[1]?.match(/'[^']+'/g) ?? [];
    expect(listed.map((s) => s.slice(1, -1)).sort()).toEqual([...FINAL_STATUSES].sort());
  });
});
