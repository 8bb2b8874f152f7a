import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockGuard } from '../guard/guard.js';
import { LockFile } from '../guard/lock-file.js';
import { MemoryDeployStore, testRecord } from '../../test/deploy/fakes.js';
import { DeployRefusedError } from './executor-errors.js';
import { createDeploy, ownerLiveness, takeOver } from './executor-start.js';

const NOW = Date.UTC(2026, 10, 26, 12);

describe('ownerLiveness', () => {
  const here = { host: 'ci-1', pidAlive: (pid: number) => pid === 100 };
  const cases: Array<[string, Parameters<typeof ownerLiveness>[0], boolean]> = [
    [
      'a live pid on this host with a fresh heartbeat is alive',
      { pid: 100, host: 'ci-1', heartbeatAt: NOW - 1_000 },
      true,
    ],
    [
      'a dead pid on this host is gone at once, however fresh its heartbeat',
      { pid: 200, host: 'ci-1', heartbeatAt: NOW },
      false,
    ],
    [
      'another host with a fresh heartbeat is alive (its pid cannot be checked)',
      { pid: 200, host: 'ci-2', heartbeatAt: NOW - 9_000 },
      true,
    ],
    [
      'another host whose heartbeat is older than five intervals is gone',
      { pid: 200, host: 'ci-2', heartbeatAt: NOW - 10_001 },
      false,
    ],
    ['a record without an owner is gone', undefined, false],
  ];
  it.each(cases)('%s', (_name, owner, alive) => {
    expect(ownerLiveness(owner, NOW, here).alive).toBe(alive);
  });
});

function deps() {
  const store = new MemoryDeployStore();
  const file = new LockFile(join(mkdtempSync(join(tmpdir(), 'start-')), 'guard'));
  return {
    store,
    guard: { file, now: () => NOW, actor: 'ops' },
    now: () => NOW,
    host: 'ci-1',
    pidAlive: () => false,
  };
}
const plan = testRecord([]).plan;

describe('createDeploy', () => {
  it('creates a running record owned by this process', async () => {
    const d = deps();
    const r = await createDeploy({ service: 'svc', plan, by: 'alice', configPath: 'deploy.yaml' }, d);
    expect(r).toMatchObject({
      status: 'running',
      stepIndex: 0,
      env: 'production',
      owner: { pid: process.pid },
    });
    expect(await d.store.get(r.id)).not.toBeNull();
  });

  it('keeps the fleet the plan started from on the record, for a resumed revert', async () => {
    const d = deps();
    const observed = { versions: { a: 'v1', b: 'v2' }, weights: { a: 1 } };
    const r = await createDeploy(
      { service: 'svc', plan, by: 'alice', configPath: 'deploy.yaml', fleetBefore: observed },
      d,
    );
    expect((await d.store.get(r.id))?.fleetBefore).toEqual(observed);
  });

  it('refuses a second deploy, naming the holder and how to take over an orphan', async () => {
    const d = deps();
    const first = await createDeploy({ service: 'svc', plan, by: 'alice', configPath: 'deploy.yaml' }, d);
    await d.store.update(first.id, { owner: { pid: 999_999, host: 'ci-1', heartbeatAt: NOW } });
    const second = createDeploy({ service: 'svc', plan, by: 'bob', configPath: 'deploy.yaml' }, d);
    await expect(second).rejects.toBeInstanceOf(DeployRefusedError);
    await expect(second).rejects.toThrow(
      `deploy ${first.id} (canary v1 → v2) by alice since 2026-11-26T12:00:00.000Z holds production`,
    );
    await expect(second).rejects.toThrow(`threader deploy --resume ${first.id} --config deploy.yaml`);
  });

  it('refuses while the guard is locked, quoting the lock reason, and exits 3', async () => {
    const d = deps();
    await lockGuard(d.guard, {
      durationMs: 600_000,
      reason: 'canary d-1 failed',
      mode: 'slo',
      healthyEvaluations: 3,
    });
    const p = createDeploy({ service: 'svc', plan, by: 'bob', configPath: 'deploy.yaml' }, d);
    await expect(p).rejects.toThrow('the guard window is locked: "canary d-1 failed"');
    await expect(p).rejects.toMatchObject({ exitCode: 3 });
  });

  it('starts through a locked guard with --force --reason and records the override', async () => {
    const d = deps();
    await lockGuard(d.guard, {
      durationMs: 600_000,
      reason: 'canary d-1 failed',
      mode: 'slo',
      healthyEvaluations: 3,
    });
    await expect(
      createDeploy({ service: 'svc', plan, by: 'bob', force: true, configPath: 'x' }, d),
    ).rejects.toThrow('--force needs --reason');
    const r = await createDeploy(
      { service: 'svc', plan, by: 'bob', force: true, reason: 'hotfix for the outage', configPath: 'x' },
      d,
    );
    expect(r.reason).toBe('guard override by bob: hotfix for the outage (lock: canary d-1 failed)');
  });
});

describe('takeOver', () => {
  it('takes over a deploy whose executor is gone and refuses one that still runs', async () => {
    const d = deps();
    const r = await createDeploy({ service: 'svc', plan, by: 'alice', configPath: 'x' }, d);
    await d.store.update(r.id, { owner: { pid: 12345, host: 'ci-2', heartbeatAt: NOW } });
    await expect(takeOver(r.id, d, 'x')).rejects.toThrow('still driven by pid 12345 on ci-2');
    await d.store.update(r.id, { owner: { pid: 12345, host: 'ci-1', heartbeatAt: NOW } });
    await expect(takeOver(r.id, d, 'x')).resolves.toMatchObject({ id: r.id });
  });

  it('lets only one of two racing resumers take an orphaned deploy; the other is refused, naming the winner', async () => {
    const d = deps();
    const r = await createDeploy({ service: 'svc', plan, by: 'alice', configPath: 'x' }, d);
    await d.store.update(r.id, { owner: { pid: 12345, host: 'ci-1', heartbeatAt: NOW - 60_000 } });
    const results = await Promise.allSettled([
      takeOver(r.id, { ...d, pid: 501 }, 'x'),
      takeOver(r.id, { ...d, pid: 502 }, 'x'),
    ]);
    const won = results.filter((x) => x.status === 'fulfilled');
    const lost = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = (await d.store.get(r.id))?.owner;
    expect(lost[0]?.reason).toBeInstanceOf(DeployRefusedError);
    expect(String(lost[0]?.reason.message)).toBe(
      `refused: deploy ${r.id} was just taken over by pid ${winner?.pid} on ci-1; see \`threader status --config x\``,
    );
  });
});
