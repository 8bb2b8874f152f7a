import { describe, expect, it } from 'vitest';
import type { DeployEvent, DeployStatus } from '../deploy/types.js';
import {
  approvalState,
  decideDeployPress,
  type ApprovalRequested,
  type DeployPressFacts,
} from './deploy-decision.js';

const ID = 'd-20261126T120000Z-a1b2c3';
const ALICE = { id: 'U0ALICE', name: 'alice' };
const MALLORY = { id: 'U0MALLORY', name: 'mallory' };
const NOW = 1_800_000_000_000;
const request = (over: Partial<ApprovalRequested> = {}): ApprovalRequested => ({
  type: 'approval-requested',
  deployId: ID,
  reason: 'deploy v2 to production',
  timeoutAt: NOW + 60_000,
  index: 0,
  ...over,
});

function facts(over: {
  action?: 'approve' | 'reject';
  status?: DeployStatus | null;
  approvers?: string[];
  actor?: { id: string; name: string };
  step?: number;
  stepIndex?: number;
  request?: ApprovalRequested | null;
  approvedBy?: string;
  alive?: boolean;
  now?: number;
}): DeployPressFacts {
  const status = over.status === undefined ? 'waiting-approval' : over.status;
  const req = over.request === null ? undefined : (over.request ?? request({ approvers: over.approvers }));
  return {
    press: {
      kind: over.action === 'reject' ? 'deploy-reject' : 'deploy-approve',
      deployId: ID,
      ...(over.step !== undefined ? { step: over.step } : {}),
    },
    actor: over.actor ?? ALICE,
    record: status === null ? null : { id: ID, env: 'production', status, stepIndex: over.stepIndex ?? 0 },
    ...(req ? { request: req } : {}),
    ...(over.approvedBy ? { approvedBy: over.approvedBy } : {}),
    executor:
      over.alive === false ? { alive: false, why: 'its executor (pid 7 on ci-1) is gone' } : { alive: true },
    now: over.now ?? NOW,
  };
}

describe('decideDeployPress: status × approvers × action → outcome', () => {
  const cases: Array<[string, Parameters<typeof facts>[0], string]> = [
    ['an approve while the gate waits is recorded as approve by the Slack user', {}, 'record approve'],
    [
      'a reject while the gate waits is recorded as an abort with the reason',
      { action: 'reject' },
      'record abort',
    ],
    ['an approver in the list may approve', { approvers: ['U0BOB', 'U0ALICE'] }, 'record approve'],
    ['an approver in the list may reject', { action: 'reject', approvers: ['U0ALICE'] }, 'record abort'],
    ['someone outside the list may not approve', { approvers: ['U0BOB'], actor: MALLORY }, 'not_approver'],
    [
      'someone outside the list may not reject',
      { action: 'reject', approvers: ['U0BOB'], actor: MALLORY },
      'not_approver',
    ],
    ['an empty list lets anyone in the channel answer', { approvers: [], actor: MALLORY }, 'record approve'],
    ['an unknown deploy is refused', { status: null }, 'deploy_unknown'],
    ['a succeeded deploy is refused', { status: 'succeeded' }, 'deploy_finished'],
    [
      'an aborted deploy is refused (a second Reject)',
      { action: 'reject', status: 'aborted' },
      'deploy_finished',
    ],
    ['a rolled-back deploy is refused', { status: 'rolled-back' }, 'deploy_finished'],
    ['a running deploy is not waiting for an approval', { status: 'running' }, 'not_waiting'],
    ['a paused deploy is not waiting for an approval', { status: 'paused' }, 'not_waiting'],
    [
      'a Reject after the gate was answered does not stop the deploy',
      { action: 'reject', status: 'running' },
      'not_waiting',
    ],
    ['a reverting deploy is not waiting for an approval', { status: 'rolling-back' }, 'not_waiting'],
    [
      'a second Approve after the gate was approved is refused',
      { approvedBy: 'slack:U0BOB:bob' },
      'not_waiting',
    ],
    ['a waiting status without its request in the log yet is refused', { request: null }, 'not_waiting'],
    ['a button of an earlier gate cannot answer a later one', { step: 0, stepIndex: 4 }, 'stale_request'],
    ['a button naming the waiting gate is recorded', { step: 4, stepIndex: 4 }, 'record approve'],
    ['an approve after the request timed out is refused', { now: NOW + 60_001 }, 'approval_expired'],
    ['an approve at the deadline itself still counts', { now: NOW + 60_000 }, 'record approve'],
    [
      'an approve of a deploy with no live executor is recorded for its resume',
      { alive: false },
      'record approve',
    ],
  ];
  it.each(cases)('%s', (_name, over, expected) => {
    const d = decideDeployPress(facts(over));
    expect(d.kind === 'record' ? `record ${d.control.action}` : d.code).toBe(expected);
  });

  it('records who pressed in the `by` format slack:ID:name, and the rejection reason names them', () => {
    expect(decideDeployPress(facts({}))).toEqual({
      kind: 'record',
      control: { action: 'approve', by: 'slack:U0ALICE:alice', step: 0 },
      text: 'Approved — the deploy continues.',
      live: true,
    });
    expect(decideDeployPress(facts({ action: 'reject' }))).toEqual({
      kind: 'record',
      control: {
        action: 'abort',
        by: 'slack:U0ALICE:alice',
        reason: 'rejected in Slack by @alice',
        step: 0,
      },
      text: `Rejected — deploy ${ID} stops and its changes are reverted (status aborted).`,
      live: true,
    });
  });

  it.each<[string, { step?: number; stepIndex: number; alive?: boolean }]>([
    ['a button naming its gate', { step: 2, stepIndex: 2 }],
    ['a button of an older release that names no gate', { stepIndex: 2 }],
    ['a deploy with no live executor (taken on --resume)', { stepIndex: 2, alive: false }],
  ])(
    'names the gate it was judged against in the control request, so the executor can refuse it once the deploy moved on: %s',
    (_name, over) => {
      const d = decideDeployPress(facts({ ...over, request: request({ index: 2 }) }));
      expect(d.kind === 'record' && d.control.step).toBe(2);
      expect(d.kind === 'record' && d.live).toBe(over.alive !== false);
    },
  );

  it.each([
    [
      'unknown',
      { status: null },
      /not in the deploy records this threader reads \(deploys\.stateDb \/ THREADER_DEPLOY_DB/,
    ],
    [
      'finished',
      { status: 'succeeded' as const },
      /has already finished \(succeeded\)\. Nothing was changed\.$/,
    ],
    [
      'not waiting',
      { status: 'running' as const },
      /is running, not waiting for an approval\. Nothing was changed\.$/,
    ],
    [
      'reject not waiting',
      { action: 'reject' as const, status: 'running' as const },
      /To stop it: `threader abort d-\S+ --config <deploy config>`/,
    ],
    [
      'approved already',
      { approvedBy: 'slack:U0BOB:bob' },
      /already approved by @bob \(Slack\)\. Nothing was changed\.$/,
    ],
    [
      'not an approver',
      { approvers: ['U0BOB', 'U0CAROL'], actor: MALLORY },
      /Only the approvers of production may approve deploy \S+: <@U0BOB>, <@U0CAROL>\. Ask one of them, or run `threader approve \S+ --config <deploy config>`/,
    ],
    [
      'expired',
      { now: NOW + 60_001 },
      /timed out at 2027-01-15T08:01:00\.000Z; the deploy no longer waits for it\. Nothing was changed\.$/,
    ],
    [
      'no executor',
      { alive: false },
      /^Approval recorded for deploy \S+, but its executor \(pid 7 on ci-1\) is gone: it takes effect when `threader deploy --resume \S+ --config <deploy config>` runs\.$/,
    ],
    [
      'no executor, reject',
      { action: 'reject' as const, alive: false },
      /^Rejection recorded for deploy \S+, but its executor \(pid 7 on ci-1\) is gone: it takes effect when/,
    ],
  ])('tells the presser clearly: %s', (_name, over, text) => {
    expect(decideDeployPress(facts(over)).text).toMatch(text);
  });

  it('escapes a recorded approver name, so it can never become a mention', () => {
    const d = decideDeployPress(facts({ approvedBy: 'slack:U0BOB:<!channel>' }));
    expect(d.text).toContain('@&lt;!channel&gt; (Slack)');
  });
});

describe('approvalState', () => {
  const asked = (index: number): DeployEvent => request({ index });
  it('takes the newest request and forgets an approval of an earlier one', () => {
    const s = approvalState([asked(0), { type: 'approved', deployId: ID, by: 'bob' }, asked(5)]);
    expect(s).toEqual({ request: request({ index: 5 }) });
  });
  it('says who approved the newest request', () => {
    expect(approvalState([asked(0), { type: 'approved', deployId: ID, by: 'bob' }]).approvedBy).toBe('bob');
  });
  it('is empty for a deploy that never asked', () => {
    expect(approvalState([{ type: 'deploy-finished', deployId: ID, status: 'succeeded' }])).toEqual({});
  });
});
