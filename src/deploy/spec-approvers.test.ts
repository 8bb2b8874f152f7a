import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { parseDeploySpec } from './spec.js';

/** `approval.approvers`: who may press Approve / Reject in Slack. */

const doc = (approval: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  service: 'svc',
  environments: {
    production: {
      instances: [
        { name: 'a', host: '127.0.0.1', port: 9101 },
        { name: 'b', host: '127.0.0.1', port: 9102 },
      ],
      driver: { type: 'process' },
      run: { command: ['node', 'svc.mjs'] },
      traffic: { configFile: 'up.conf', upstream: 'svc' },
      approval,
      ...over,
    },
  },
});

function problems(d: unknown): string[] {
  try {
    parseDeploySpec(d);
  } catch (err) {
    if (err instanceof ValidationError) return err.problems.map((p) => `${p.field}: ${p.problem}`);
    throw err;
  }
  return [];
}

describe('approval.approvers', () => {
  it('is kept as written: the Slack user IDs who may answer an approval', () => {
    const spec = parseDeploySpec(doc({ approvers: ['U0ALICE', 'W0BOB123'] }));
    expect(spec.environments.production!.approval).toEqual({
      required: true,
      timeout: 3_600_000,
      onTimeout: 'rollback',
      approvers: ['U0ALICE', 'W0BOB123'],
    });
  });

  it('is absent when not written: anyone in the channel may answer', () => {
    expect(parseDeploySpec(doc({})).environments.production!.approval.approvers).toBeUndefined();
  });

  const cases: Array<{ name: string; doc: unknown; problem: string }> = [
    {
      name: 'a name instead of a user ID is refused with how to find the ID',
      doc: doc({ approvers: ['@alice'] }),
      problem:
        'environments.production.approval.approvers[0]: a Slack user ID like U0123ABCDEF (profile → ⋮ → Copy member ID), not a name or @handle',
    },
    {
      name: 'a user listed twice is refused',
      doc: doc({ approvers: ['U0ALICE', 'U0ALICE'] }),
      problem: 'environments.production.approval.approvers: U0ALICE listed twice',
    },
    {
      name: 'approvers on an environment that never waits for an approval are refused, so nobody believes it is gated',
      doc: doc({ required: false, approvers: ['U0ALICE'] }),
      problem:
        'environments.production.approval.approvers: no deploy of this environment waits for an approval (approval.required is false and strategy.blueGreen.manualPromotion is off): set approval.required: true',
    },
  ];
  it.each(cases)('$name', ({ doc: d, problem }) => {
    expect(problems(d)).toContain(problem);
  });

  it('approvers with only blue-green manual promotion gating are accepted', () => {
    const d = doc(
      { required: false, approvers: ['U0ALICE'] },
      {
        instances: [
          { name: 'a', host: 'h', port: 1, colour: 'blue' },
          { name: 'b', host: 'h', port: 2, colour: 'green' },
        ],
        strategy: { blueGreen: { manualPromotion: true } },
      },
    );
    expect(problems(d)).toEqual([]);
  });
});
