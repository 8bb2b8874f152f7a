import type { Judgement } from '../metrics/evaluate.js';
import type { DeployEvent, DeployRecord, Plan, Step } from '../deploy/types.js';

/**
 * A realistic canary of api 1.4.0 → 1.5.0 on two instances (api-1 the canary): weights 10 %, 50 %,
 * 100 % with an analysis after each of the first two, as the executor records it. `ending`
 * chooses how far it got: all the way, rolled back by a failed analysis at 50 %, or still running
 * in that analysis. Shared by the dashboard's unit tests and the browser test.
 */
export type CanaryEnding = 'succeeded' | 'rolled-back' | 'running';

const MIN = 60_000;

export const canarySteps: Step[] = [
  { kind: 'start', instances: ['api-1'], version: '1.5.0' },
  { kind: 'health-gate', instances: ['api-1'] },
  { kind: 'set-weight', weights: { 'api-1': 1, 'api-2': 9 }, requestedPercent: 10, effectivePercent: 10 },
  { kind: 'analyse', count: 3, interval: MIN, label: 'canary at 10%' },
  { kind: 'set-weight', weights: { 'api-1': 1, 'api-2': 1 }, requestedPercent: 50, effectivePercent: 50 },
  { kind: 'analyse', count: 3, interval: MIN, label: 'canary at 50%' },
  { kind: 'set-weight', weights: { 'api-1': 1 }, requestedPercent: 100, effectivePercent: 100 },
  { kind: 'drain', instances: ['api-2'], delay: 5_000 },
  { kind: 'start', instances: ['api-2'], version: '1.5.0' },
  { kind: 'health-gate', instances: ['api-2'] },
  { kind: 'set-weight', weights: { 'api-1': 1, 'api-2': 1 } },
];

const QUERY_5XX =
  'sum(rate(threader_http_requests_total{job="api",code=~"5.."}[5m])) / sum(rate(threader_http_requests_total{job="api"}[5m]))';

export function judgement(value: number, at: number, ok = true): Judgement {
  const shown = `${Number((value * 100).toPrecision(4))}%`;
  return {
    check: 'http_5xx_ratio',
    outcome: ok ? 'Successful' : 'Failed',
    value,
    values: [value],
    comparator: '<=',
    threshold: 0.01,
    noData: false,
    query: QUERY_5XX,
    message: ok ? `${shown} <= 1%` : `${shown} <= 1% does not hold`,
    at,
  };
}

export interface CanaryFixture {
  record: DeployRecord;
  events: Array<{ at: number; event: DeployEvent }>;
}

export function canaryDeploy(
  opts: {
    id?: string;
    env?: string;
    start?: number;
    ending?: CanaryEnding;
    by?: string;
    threadRef?: string;
  } = {},
): CanaryFixture {
  const id = opts.id ?? 'dep_canary_1';
  const env = opts.env ?? 'production';
  const t0 = opts.start ?? Date.UTC(2026, 10, 26, 12, 0, 0);
  const ending = opts.ending ?? 'succeeded';
  const plan: Plan = {
    env,
    strategy: 'canary',
    fromVersion: '1.4.0',
    toVersion: '1.5.0',
    steps: canarySteps,
    mandatedWaitMs: 6 * MIN + 5_000,
    worstCaseMs: 10 * MIN,
    noop: false,
  };
  const record: DeployRecord = {
    id,
    env,
    service: 'api',
    strategy: 'canary',
    fromVersion: '1.4.0',
    toVersion: '1.5.0',
    by: opts.by ?? 'ci:github:alice',
    reason: 'release 1.5.0',
    status: 'running',
    plan,
    stepIndex: 0,
    createdAt: t0,
    updatedAt: t0,
    finishedAt: null,
    ...(opts.threadRef ? { threadRef: opts.threadRef } : {}),
  };
  const events: CanaryFixture['events'] = [];
  let t = t0;
  const at = (ms: number, event: DeployEvent) => {
    t += ms;
    events.push({ at: t, event });
  };
  const versions = (a1: string, a2: string) => ({ 'api-1': a1, 'api-2': a2 });
  at(0, { type: 'deploy-started', deploy: record });
  const run = (index: number, took: number, extra: () => void = () => undefined, detail?: string) => {
    const step = canarySteps[index] as Step;
    at(500, { type: 'step-started', deployId: id, index, step });
    extra();
    at(took, { type: 'step-finished', deployId: id, index, step, ...(detail ? { detail } : {}) });
  };
  const weights = (index: number, a2: string) => () => {
    const s = canarySteps[index] as Extract<Step, { kind: 'set-weight' }>;
    at(200, {
      type: 'weights-set',
      deployId: id,
      weights: s.weights,
      ...(s.requestedPercent !== undefined ? { requestedPercent: s.requestedPercent } : {}),
      ...(s.effectivePercent !== undefined ? { effectivePercent: s.effectivePercent } : {}),
      versions: versions('1.5.0', a2),
    });
  };
  const analysis = (index: number, value: number, ok: boolean) => () =>
    at(3 * MIN, {
      type: 'analysis',
      deployId: id,
      index,
      outcome: ok ? 'Successful' : 'Failed',
      judgements: [judgement(value, t + 3 * MIN, ok)],
      instances: ['api-1'],
    });
  run(0, 1_500, undefined, 'started api-1 on 1.5.0');
  run(1, 3_000, undefined, 'healthy: 3 of 3 probes');
  run(2, 100, weights(2, '1.4.0'), 'applied: api-1=1 api-2=9');
  run(3, 100, analysis(3, 0.002, true), 'Successful');
  run(4, 100, weights(4, '1.4.0'), 'applied: api-1=1 api-2=1');
  if (ending === 'running') {
    at(500, { type: 'step-started', deployId: id, index: 5, step: canarySteps[5] as Step });
    return { record: { ...record, stepIndex: 5, updatedAt: t }, events };
  }
  if (ending === 'rolled-back') {
    at(500, { type: 'step-started', deployId: id, index: 5, step: canarySteps[5] as Step });
    analysis(5, 0.042, false)();
    const failure = {
      step: 5,
      kind: 'analyse' as const,
      message: `analysis "canary at 50%" Failed: http_5xx_ratio: 4.2% <= 1% does not hold [${QUERY_5XX}]`,
      outcome: 'Failed' as const,
      gate: true,
      judgements: [judgement(0.042, t, false)],
    };
    at(100, {
      type: 'deploy-failed',
      deployId: id,
      failure,
      rollbackCommand: `threader rollback --config deploy.yaml --env ${env} --to 1.4.0`,
    });
    at(300, {
      type: 'weights-set',
      deployId: id,
      weights: { 'api-2': 1 },
      versions: versions('1.5.0', '1.4.0'),
    });
    at(2_000, {
      type: 'rollback-finished',
      deployId: id,
      guardLocked: true,
      guardFile: '/var/lib/threader/qos.guard',
    });
    at(10, { type: 'deploy-finished', deployId: id, status: 'rolled-back' });
    return {
      record: { ...record, status: 'rolled-back', stepIndex: 5, failure, updatedAt: t, finishedAt: t },
      events,
    };
  }
  run(5, 100, analysis(5, 0.004, true), 'Successful');
  run(6, 100, weights(6, '1.4.0'), 'applied: api-1=1');
  run(7, 5_000, undefined, 'drained api-2');
  run(8, 1_500, undefined, 'started api-2 on 1.5.0');
  run(9, 3_000, undefined, 'healthy: 3 of 3 probes');
  run(10, 100, weights(10, '1.5.0'), 'applied: api-1=1 api-2=1');
  at(10, { type: 'deploy-finished', deployId: id, status: 'succeeded' });
  return {
    record: { ...record, status: 'succeeded', stepIndex: canarySteps.length, updatedAt: t, finishedAt: t },
    events,
  };
}
