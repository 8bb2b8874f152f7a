import { describe, expect, it } from 'vitest';
import { ACTION_IDS, DEPLOY_APPROVAL_BLOCK_ID } from './button-ids.js';
import {
  answeredRequest,
  DEPLOY_ANSWERED_BLOCK_ID,
  verdictLine,
  type DeployVerdict,
} from './deploy-answered.js';

const ALICE = { id: 'U0ALICE', name: 'alice' };
const head = {
  type: 'section',
  block_id: 'h1',
  text: { type: 'mrkdwn', text: ':raised_hand: *Approval needed* to go on: deploy v2 &lt;prod&gt;.' },
};
const buttons = {
  type: 'actions',
  block_id: DEPLOY_APPROVAL_BLOCK_ID,
  elements: [
    { type: 'button', action_id: ACTION_IDS.deployApprove, value: 'd-1@0' },
    { type: 'button', action_id: ACTION_IDS.deployReject, value: 'd-1@0' },
  ],
};
const terminal = {
  type: 'context',
  block_id: 'c1',
  elements: [{ type: 'mrkdwn', text: 'Or from a terminal' }],
};
const request = { text: 'Approval needed to go on: deploy v2', blocks: [head, buttons, terminal] };
const approved: DeployVerdict = { verdict: 'approved', actor: ALICE, live: true };

describe('verdictLine: verdict × executor → what the thread says', () => {
  it.each<[string, DeployVerdict, string]>([
    [
      'an approval acted on now',
      approved,
      ':white_check_mark: Approved by <@U0ALICE> — the deploy continues',
    ],
    [
      'a rejection acted on now',
      { verdict: 'rejected', actor: ALICE, live: true },
      ':no_entry: Rejected by <@U0ALICE> — reverting',
    ],
    [
      'an approval waiting for a resume',
      { verdict: 'approved', actor: ALICE, live: false },
      ':white_check_mark: Approved by <@U0ALICE> — recorded; it takes effect when the deploy is resumed',
    ],
    [
      'a rejection waiting for a resume',
      { verdict: 'rejected', actor: ALICE, live: false },
      ':no_entry: Rejected by <@U0ALICE> — recorded; the deploy reverts when it is resumed',
    ],
    [
      'a presser whose id is not a Slack user id is named, escaped, never mentioned',
      { verdict: 'approved', actor: { id: '<!channel>', name: '<!here>' }, live: true },
      ':white_check_mark: Approved by @&lt;!here&gt; — the deploy continues',
    ],
  ])('%s', (_name, v, line) => {
    expect(verdictLine(v)).toBe(line);
  });
});

describe('answeredRequest', () => {
  it('keeps the request and puts who answered where the buttons were', () => {
    expect(answeredRequest(request, approved)).toEqual({
      text: 'Approval needed to go on: deploy v2 — :white_check_mark: Approved by <@U0ALICE> — the deploy continues',
      blocks: [
        head,
        {
          type: 'section',
          block_id: DEPLOY_ANSWERED_BLOCK_ID,
          text: {
            type: 'mrkdwn',
            text: ':white_check_mark: Approved by <@U0ALICE> — the deploy continues',
          },
        },
        terminal,
      ],
    });
  });

  it('finds the buttons by their action ids when Slack echoes another block id', () => {
    const echoed = { text: 't', blocks: [head, { ...buttons, block_id: 'x9Y' }] };
    const out = answeredRequest(echoed, approved);
    expect(out?.blocks?.map((b) => b.block_id)).toEqual(['h1', DEPLOY_ANSWERED_BLOCK_ID]);
    expect(JSON.stringify(out)).not.toContain(ACTION_IDS.deployApprove);
  });

  it('leaves no second set of buttons and no duplicate block id', () => {
    const twice = { text: 't', blocks: [buttons, head, { ...buttons, block_id: 'again' }] };
    const out = answeredRequest(twice, approved);
    expect(out?.blocks?.map((b) => b.block_id)).toEqual([DEPLOY_ANSWERED_BLOCK_ID, 'h1']);
  });

  it('does not touch a message that holds no approval buttons (not a request of ours)', () => {
    expect(answeredRequest({ text: 'hello', blocks: [head] }, approved)).toBeUndefined();
    expect(answeredRequest({ text: 'hello' }, approved)).toBeUndefined();
  });
});
