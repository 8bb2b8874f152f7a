import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeployRecord } from '../deploy/types.js';
import { canaryDeploy } from '../dashboard/deploy-fixtures.test-suite.js';
import { openDeployStore } from '../store/deploy-sqlite.js';
import type { DeployStoreWithControls } from '../store/deploy-types.js';
import { createDeployMetrics, deploySeries, summarize, type DeploySummary } from './deploy-metrics.js';

const MIN = 60_000;
const s = (over: Partial<DeploySummary>): DeploySummary => ({
  id: 'd',
  env: 'prod',
  strategy: 'canary',
  status: 'succeeded',
  rollbackOf: false,
  reverted: false,
  createdAt: 0,
  finishedAt: MIN,
  ...over,
});

describe('summarize', () => {
  const failure = { step: 5, kind: 'analyse' as const, message: 'failed' };
  const cases: Array<[string, Partial<DeployRecord>, boolean]> = [
    [
      'a deploy reverted after a failed analysis is an automatic rollback',
      { status: 'rolled-back', failure },
      true,
    ],
    ['one whose revert failed is not (DeployRevertFailed tells of it)', { status: 'failed', failure }, false],
    ['one that failed with nothing reverted is not', { status: 'failed' }, false],
    [
      'one still reverting is not yet (counted once the revert finished, so the counter never goes down)',
      { status: 'rolling-back', failure },
      false,
    ],
    ['one aborted by a person is not', { status: 'aborted', failure: { ...failure, aborted: true } }, false],
    ['a success is not', { status: 'succeeded' }, false],
  ];
  it.each(cases)('%s', (_name, patch, reverted) => {
    expect(summarize({ ...canaryDeploy().record, ...patch }).reverted).toBe(reverted);
  });
});

describe('deploySeries', () => {
  it('counts records by environment, strategy and status', () => {
    const series = deploySeries([
      s({ id: 'a' }),
      s({ id: 'b' }),
      s({ id: 'c', status: 'rolled-back', reverted: true }),
      s({ id: 'd', env: 'staging', strategy: 'rolling' }),
    ]);
    expect(series.deploys).toEqual([
      { labels: { env: 'prod', strategy: 'canary', status: 'succeeded' }, value: 2 },
      { labels: { env: 'prod', strategy: 'canary', status: 'rolled-back' }, value: 1 },
      { labels: { env: 'staging', strategy: 'rolling', status: 'succeeded' }, value: 1 },
    ]);
  });

  it('gives every environment both rollback triggers, at 0 before the first, so increase() sees the first one', () => {
    const series = deploySeries([
      s({ id: 'a', env: 'prod', status: 'rolled-back', reverted: true }),
      s({ id: 'b', env: 'prod', rollbackOf: true }),
      s({ id: 'c', env: 'staging' }),
    ]);
    expect(series.rollbacks).toEqual([
      { labels: { env: 'prod', trigger: 'automatic' }, value: 1 },
      { labels: { env: 'prod', trigger: 'manual' }, value: 1 },
      { labels: { env: 'staging', trigger: 'automatic' }, value: 0 },
      { labels: { env: 'staging', trigger: 'manual' }, value: 0 },
    ]);
  });

  it('reports what runs now, the last success and how the newest finished deploy ended and took', () => {
    const series = deploySeries([
      s({ id: 'old', createdAt: 0, finishedAt: 2 * MIN }),
      s({ id: 'bad', status: 'failed', createdAt: 10 * MIN, finishedAt: 14 * MIN }),
      s({ id: 'now', status: 'waiting-approval', createdAt: 20 * MIN, finishedAt: null }),
      s({ id: 'idle', env: 'staging', status: 'aborted', createdAt: 0, finishedAt: MIN }),
    ]);
    expect(series.inProgress).toEqual([
      { labels: { env: 'prod' }, value: 1 },
      { labels: { env: 'staging' }, value: 0 },
    ]);
    expect(series.lastSuccess).toEqual([{ labels: { env: 'prod' }, value: 120 }]);
    expect(series.lastDuration).toEqual([
      { labels: { env: 'prod' }, value: 240 },
      { labels: { env: 'staging' }, value: 60 },
    ]);
    expect(series.lastFinished).toEqual([
      { labels: { env: 'prod', status: 'failed' }, value: 840 },
      { labels: { env: 'staging', status: 'aborted' }, value: 60 },
    ]);
  });

  it('exports nothing without records', () => {
    expect(Object.values(deploySeries([])).flat()).toEqual([]);
  });
});

describe('createDeployMetrics against a real deploy store', () => {
  let store: DeployStoreWithControls;
  afterEach(async () => store?.close());

  it('reads the records at scrape time, and follows a deploy from running to rolled back', async () => {
    store = await openDeployStore(':memory:');
    const registry = new Registry();
    const metrics = createDeployMetrics(registry);
    expect(await registry.metrics()).not.toMatch(/^threader_deploys\{/m);

    metrics.watch(store);
    const ok = canaryDeploy({ id: 'd1', start: 0 });
    await store.create(ok.record);
    const running = canaryDeploy({ id: 'd2', start: 10 * MIN, ending: 'running' });
    await store.create(running.record);
    let text = await registry.metrics();
    expect(text).toContain('threader_deploys{env="production",strategy="canary",status="succeeded"} 1');
    expect(text).toContain('threader_deploys{env="production",strategy="canary",status="running"} 1');
    expect(text).toContain('threader_deploy_in_progress{env="production"} 1');
    expect(text).toContain('# TYPE threader_deploy_rollbacks_total counter');
    expect(text).toContain('threader_deploy_rollbacks_total{env="production",trigger="automatic"} 0');

    const { record: failed } = canaryDeploy({ id: 'd2', start: 10 * MIN, ending: 'rolled-back' });
    await store.update('d2', {
      status: failed.status,
      failure: failed.failure,
      finishedAt: failed.finishedAt,
    });
    text = await registry.metrics();
    expect(text).toContain('threader_deploy_rollbacks_total{env="production",trigger="automatic"} 1');
    expect(text).toContain('threader_deploy_in_progress{env="production"} 0');
    expect(text).not.toContain('status="running"');
    expect(text).toMatch(
      /threader_deploy_last_finished_timestamp_seconds\{env="production",status="rolled-back"\} \d+/,
    );
    expect(text).toContain(
      `threader_deploy_last_success_timestamp_seconds{env="production"} ${(ok.record.finishedAt as number) / 1000}`,
    );
  });

  it('keeps the last values when the store cannot be read', async () => {
    store = await openDeployStore(':memory:');
    const registry = new Registry();
    const metrics = createDeployMetrics(registry);
    metrics.watch(store);
    await store.create(canaryDeploy({ id: 'd1' }).record);
    expect(await registry.metrics()).toContain('status="succeeded"} 1');
    await store.close();
    expect(await registry.metrics()).toContain('status="succeeded"} 1');
  });
});
