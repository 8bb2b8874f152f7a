import { describe, expect, it } from 'vitest';
import { testRecord } from '../../test/deploy/fakes.js';
import { formatDeployEvent, nextGate } from './progress.js';
import type { Step } from './types.js';

const steps: Step[] = [
  { kind: 'drain', instances: ['a'], delay: 2_000, batch: 1 },
  { kind: 'start', instances: ['a'], version: 'v2', batch: 1 },
  { kind: 'health-gate', instances: ['a'], batch: 1 },
  { kind: 'set-weight', weights: { a: 1, b: 9 }, requestedPercent: 10, effectivePercent: 10 },
  { kind: 'analyse', count: 3, interval: 60_000, label: 'canary' },
];
const plan = testRecord(steps).plan;

describe('deploy progress lines', () => {
  it('show the step number, its batch and the next gate', () => {
    expect(
      formatDeployEvent({ type: 'step-started', deployId: 'd', index: 1, step: steps[1] as Step }, plan),
    ).toEqual(['[2/5] start a on v2 (batch 1)   (next gate: step 3: health gate a (batch 1))']);
  });

  it('name the lock file a rollback locked, since `guard status` reads THREADER_GUARD_FILE', () => {
    expect(
      formatDeployEvent(
        { type: 'rollback-finished', deployId: 'd', guardLocked: true, guardFile: '/srv/deploy/qos.guard' },
        plan,
      ),
    ).toEqual([
      'rollback finished; the guard window is locked (`THREADER_GUARD_FILE=/srv/deploy/qos.guard threader guard status`)',
    ]);
  });

  it('show the weights with the requested and effective share', () => {
    const lines = formatDeployEvent(
      { type: 'step-started', deployId: 'd', index: 3, step: steps[3] as Step },
      plan,
    );
    expect(lines[0]).toContain('weights a=1 b=9 — 10% requested, 10% effective');
    expect(lines[0]).toContain('next gate: step 5: analysis "canary": 3 × every 1m');
  });

  it('name the failing value, threshold and query, and the rollback command', () => {
    const lines = formatDeployEvent(
      {
        type: 'deploy-failed',
        deployId: 'd',
        rollbackCommand: 'threader rollback --config c.yaml --env production --to v1',
        failure: {
          step: 4,
          kind: 'analyse',
          message: 'analysis "canary" Failed',
          judgements: [
            {
              check: 'http_5xx_ratio',
              outcome: 'Failed',
              value: 0.2,
              values: [0.2],
              comparator: '<=',
              threshold: 0.01,
              noData: false,
              query: 'sum(x)',
              message: '',
              at: 0,
            },
          ],
        },
      },
      plan,
    );
    expect(lines).toContain('  http_5xx_ratio: value 0.2, threshold <= 0.01, query sum(x)');
    expect(lines.at(-1)).toBe(
      'to roll back again by hand: threader rollback --config c.yaml --env production --to v1',
    );
  });

  it('say there is no next gate after the last one', () => {
    expect(nextGate(plan, 4)).toBeUndefined();
  });
});
