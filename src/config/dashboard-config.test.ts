import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'threader-dash-config-'));

describe('dashboard and guard settings serve reads', () => {
  it('takes the dashboard token from THREADER_DASHBOARD_TOKEN_FILE, trimmed', async () => {
    const tokenFile = join(dir, 'dash-token');
    writeFileSync(tokenFile, 'dash-secret\n');
    const c = await loadConfig({ env: { THREADER_DASHBOARD_TOKEN_FILE: tokenFile } });
    expect(c.secrets.dashboardToken).toBe('dash-secret');
  });

  it('takes it from the config file as {file} too, and the env wins over the file', async () => {
    const tokenFile = join(dir, 'dash-token-2');
    writeFileSync(tokenFile, 'from-file');
    const yaml = join(dir, 'threader.yaml');
    writeFileSync(yaml, `dashboard:\n  token:\n    file: ${tokenFile}\n`);
    expect((await loadConfig({ configPath: yaml, env: {} })).secrets.dashboardToken).toBe('from-file');
    const c = await loadConfig({ configPath: yaml, env: { THREADER_DASHBOARD_TOKEN: 'from-env' } });
    expect(c.secrets.dashboardToken).toBe('from-env');
  });

  it('THREADER_GUARD_FILE names the lock file serve shows, over guard.lockFile', async () => {
    const yaml = join(dir, 'guard.yaml');
    writeFileSync(yaml, 'guard:\n  lockFile: /var/lib/threader/qos.guard\n');
    expect((await loadConfig({ configPath: yaml, env: {} })).guard.lockFile).toBe(
      '/var/lib/threader/qos.guard',
    );
    const c = await loadConfig({ configPath: yaml, env: { THREADER_GUARD_FILE: '/run/other.guard' } });
    expect(c.guard.lockFile).toBe('/run/other.guard');
  });

  it('THREADER_DEPLOY_DB names the deploy records serve reads, over deploys.stateDb', async () => {
    const yaml = join(dir, 'deploys.yaml');
    writeFileSync(yaml, 'deploys:\n  stateDb: /var/lib/threader/deploys.db\n');
    expect((await loadConfig({ configPath: yaml, env: {} })).deploys.stateDb).toBe(
      '/var/lib/threader/deploys.db',
    );
    const c = await loadConfig({ configPath: yaml, env: { THREADER_DEPLOY_DB: '/run/d.db' } });
    expect(c.deploys.stateDb).toBe('/run/d.db');
    expect((await loadConfig({ env: {} })).deploys.stateDb).toBeUndefined();
  });

  it('refuses unknown keys under dashboard, naming the path', async () => {
    const yaml = join(dir, 'bad.yaml');
    writeFileSync(yaml, 'dashboard:\n  password: x\n');
    await expect(loadConfig({ configPath: yaml, env: {} })).rejects.toThrow(
      /dashboard: unknown key\(s\) password/,
    );
  });
});
