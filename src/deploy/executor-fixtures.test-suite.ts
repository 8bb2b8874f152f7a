import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockFile } from '../guard/lock-file.js';
import { policies } from '../retry/policy.js';
import { FakeClock } from '../../test/helpers/fake-clock.js';
import {
  FakeDriver,
  FakeRouter,
  MemoryDeployStore,
  ScriptedProvider,
  testEnv,
  testRecord,
} from '../../test/deploy/fakes.js';
import { DeployExecutor } from './executor.js';
import type { ExecutorDeps } from './executor-types.js';
import type { DeployEvent, DeployRecord, EnvironmentSpec, Step } from './types.js';

export const stable = { a: 1, b: 1, c: 1, d: 1 };
export const canarySteps: Step[] = [
  { kind: 'set-weight', weights: { a: 1, b: 1, c: 1 } },
  { kind: 'drain', instances: ['d'], delay: 1_000 },
  { kind: 'start', instances: ['d'], version: 'v2' },
  { kind: 'health-gate', instances: ['d'] },
  { kind: 'set-weight', weights: { a: 3, b: 3, c: 3, d: 1 }, requestedPercent: 10, effectivePercent: 10 },
  { kind: 'analyse', count: 3, interval: 2_000, label: 'canary at 10%' },
  { kind: 'set-weight', weights: stable },
];
export const revertSteps: Step[] = [
  { kind: 'set-weight', weights: { a: 1, b: 1, c: 1 } },
  { kind: 'start', instances: ['d'], version: 'v1' },
  { kind: 'health-gate', instances: ['d'] },
  { kind: 'set-weight', weights: stable },
];

/** An executor over the in-memory fakes on a fake clock, for the executor's unit tests. */
export function setup(
  steps: Step[],
  opts: {
    env?: Partial<EnvironmentSpec>;
    provider?: ScriptedProvider;
    unhealthy?: Set<number>;
    record?: Partial<DeployRecord>;
  } = {},
) {
  const clock = new FakeClock();
  const store = new MemoryDeployStore();
  const driver = new FakeDriver();
  const router = new FakeRouter();
  const lockFile = new LockFile(join(mkdtempSync(join(tmpdir(), 'exec-')), 'guard'));
  const probed: string[] = [];
  const deps: ExecutorDeps = {
    store,
    driver,
    router,
    provider: opts.provider ?? new ScriptedProvider([0]),
    env: testEnv(opts.env),
    clock,
    guard: { file: lockFile, now: () => clock.now(), actor: 'threader deploy' },
    planRevert: () => revertSteps,
    fleetBefore: { versions: { a: 'v1', b: 'v1', c: 'v1', d: 'v1' }, weights: stable },
    configPath: '/etc/threader/deploy.yaml',
    owner: { pid: 4242, host: 'ci-1' },
    probe: async (url) => {
      probed.push(url);
      const port = Number(new URL(url).port);
      return opts.unhealthy?.has(port) ? 503 : 200;
    },
    retryPolicy: policies.instant,
  };
  const record = testRecord(steps, opts.record);
  const events: DeployEvent[] = [];
  const executor = new DeployExecutor(deps);
  executor.onEvent((e) => events.push(e));
  async function run(): Promise<DeployRecord> {
    await store.create(record);
    return drive(executor.run(record.id));
  }
  /** Advances the fake clock until the deploy settles. */
  async function drive(p: Promise<DeployRecord>): Promise<DeployRecord> {
    let done: DeployRecord | undefined;
    let failed: unknown;
    p.then((r) => (done = r)).catch((e) => (failed = e));
    for (let i = 0; i < 2_000 && !done && !failed; i++) {
      // Real file I/O (the guard's lock file) completes on the event loop, not in microtasks:
      // let it progress before moving fake time on, or a slow disk turns into "did not settle".
      await new Promise((r) => setImmediate(r));
      await clock.advance(250);
    }
    if (failed) throw failed;
    if (!done) throw new Error('deploy did not settle');
    return done;
  }
  return { clock, store, driver, router, lockFile, deps, record, events, executor, run, drive, probed };
}
