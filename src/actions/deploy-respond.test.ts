import { describe, expect, it } from 'vitest';
import { ACTION_IDS, DEPLOY_APPROVAL_BLOCK_ID } from './button-ids.js';
import type { DeployPressAnswer } from './deploy-press.js';
import { tellDeployPressers } from './deploy-respond.js';
import { parseActionRequest } from './payload.js';

const ALICE = { id: 'U0ALICE', name: 'alice' };
const URL = 'https://hooks.slack.com/actions/T1/1/abc';
const blocks = [
  { type: 'section', block_id: 'h1', text: { type: 'mrkdwn', text: 'Approval needed to go on' } },
  {
    type: 'actions',
    block_id: DEPLOY_APPROVAL_BLOCK_ID,
    elements: [{ type: 'button', action_id: ACTION_IDS.deployApprove, value: 'd-1@0' }],
  },
];

/** The request as `threader serve` parses it from Slack's block_actions payload. */
function pressed(message?: unknown) {
  const payload = {
    type: 'block_actions',
    user: { id: ALICE.id, username: ALICE.name },
    response_url: URL,
    actions: [{ action_id: ACTION_IDS.deployApprove, value: 'd-1@0', type: 'button' }],
    ...(message !== undefined ? { message } : {}),
  };
  return parseActionRequest(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
}

function slack(replaceWorks = true) {
  const sent: Array<{ kind: 'ephemeral' | 'replace'; url?: string; body: unknown }> = [];
  return {
    sent,
    deps: {
      ephemeral: async (url: string | undefined, text: string) => {
        sent.push({ kind: 'ephemeral', url, body: text });
        return true;
      },
      replace: async (url: string | undefined, body: unknown) => {
        sent.push({ kind: 'replace', url, body });
        return replaceWorks;
      },
    },
  };
}

const recorded: DeployPressAnswer = {
  code: 'recorded',
  text: 'Approved — the deploy continues.',
  verdict: { verdict: 'approved', actor: ALICE, live: true },
};
const refused: DeployPressAnswer = {
  code: 'not_approver',
  text: 'Only the approvers of production may approve deploy d-1. Nothing was changed.',
};

describe('tellDeployPressers', () => {
  it('replaces an answered request for everyone: the buttons give way to who answered', async () => {
    const s = slack();
    await tellDeployPressers(
      pressed({ type: 'message', text: 'Approval needed', blocks }),
      [recorded],
      s.deps,
    );
    expect(s.sent).toEqual([
      {
        kind: 'replace',
        url: URL,
        body: {
          text: 'Approval needed — :white_check_mark: Approved by <@U0ALICE> — the deploy continues',
          blocks: [
            blocks[0],
            {
              type: 'section',
              block_id: 'threader_deploy_approval_answered',
              text: {
                type: 'mrkdwn',
                text: ':white_check_mark: Approved by <@U0ALICE> — the deploy continues',
              },
            },
          ],
        },
      },
    ]);
  });

  it('tells a refusal to the presser alone and leaves the request as it is', async () => {
    const s = slack();
    await tellDeployPressers(
      pressed({ type: 'message', text: 'Approval needed', blocks }),
      [refused],
      s.deps,
    );
    expect(s.sent).toEqual([{ kind: 'ephemeral', url: URL, body: refused.text }]);
  });

  it('tells the presser instead when Slack sent no message to replace', async () => {
    const s = slack();
    await tellDeployPressers(pressed(), [recorded], s.deps);
    expect(s.sent).toEqual([{ kind: 'ephemeral', url: URL, body: recorded.text }]);
  });

  it('tells the presser instead when the message holds no approval buttons', async () => {
    const s = slack();
    await tellDeployPressers(pressed({ text: 'x', blocks: [blocks[0]] }), [recorded], s.deps);
    expect(s.sent).toEqual([{ kind: 'ephemeral', url: URL, body: recorded.text }]);
  });

  it('tells the presser when Slack refuses the replacement (e.g. response_url expired)', async () => {
    const s = slack(false);
    await tellDeployPressers(pressed({ text: 'Approval needed', blocks }), [recorded], s.deps);
    expect(s.sent.map((m) => m.kind)).toEqual(['replace', 'ephemeral']);
    expect(s.sent[1]?.body).toBe(recorded.text);
  });

  it('reads the message from the payload, ignoring what is not a block', () => {
    expect(pressed({ text: 7, blocks: [blocks[0], 'junk', null] }).message).toEqual({
      text: '',
      blocks: [blocks[0]],
    });
    expect(pressed('not an object').message).toBeUndefined();
  });
});
