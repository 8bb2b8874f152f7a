import { describe, expect, it } from 'vitest';
import { ACTION_IDS, deployApprovalValue, pressOf } from './button-ids.js';
import { parseActionRequest } from './payload.js';

const form = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
const base = {
  type: 'block_actions',
  user: { id: 'U0ANA', username: 'ana', name: 'ana', team_id: 'T1' },
  response_url: 'https://hooks.slack.com/actions/T1/1/abc',
};

describe('parseActionRequest', () => {
  const cases: Array<[string, unknown[], unknown[]]> = [
    [
      'an Ack button names its thread',
      [{ action_id: 'threader_ack', value: 'ep_1' }],
      [{ kind: 'ack', threadId: 'ep_1' }],
    ],
    [
      'a silence choice carries its duration',
      [{ action_id: 'threader_silence', type: 'static_select', selected_option: { value: '4h:ep_1' } }],
      [{ kind: 'silence', threadId: 'ep_1', durationMs: 4 * 3_600_000 }],
    ],
    [
      'a duration we never offered is not a press',
      [{ action_id: 'threader_silence', selected_option: { value: '9999h:ep_1' } }],
      [],
    ],
    [
      'Unsilence names its thread',
      [{ action_id: 'threader_unsilence', value: 'ep_1' }],
      [{ kind: 'unsilence', threadId: 'ep_1' }],
    ],
    ['a link button is a press with nothing to do', [{ action_id: 'threader_runbook' }], [{ kind: 'link' }]],
    ['a foreign action is ignored', [{ action_id: 'someone_else', value: 'x' }], []],
    ['a thread id with odd characters is refused', [{ action_id: 'threader_ack', value: 'ep 1; drop' }], []],
    [
      'Approve on a deploy names the deploy',
      [{ action_id: 'threader_deploy_approve', value: 'd-20261126T120000Z-a1b2c3' }],
      [{ kind: 'deploy-approve', deployId: 'd-20261126T120000Z-a1b2c3' }],
    ],
    [
      'Reject on a deploy names the deploy',
      [{ action_id: 'threader_deploy_reject', value: 'd-20261126T120000Z-a1b2c3' }],
      [{ kind: 'deploy-reject', deployId: 'd-20261126T120000Z-a1b2c3' }],
    ],
    [
      'a deploy button may name the gate it belongs to',
      [{ action_id: 'threader_deploy_approve', value: 'd-20261126T120000Z-a1b2c3@4' }],
      [{ kind: 'deploy-approve', deployId: 'd-20261126T120000Z-a1b2c3', step: 4 }],
    ],
    ['a deploy button without a value is not a press', [{ action_id: 'threader_deploy_approve' }], []],
    [
      'a deploy id with odd characters is refused',
      [{ action_id: 'threader_deploy_reject', value: '../d-1; rm' }],
      [],
    ],
    [
      'a gate that is not a number is refused',
      [{ action_id: 'threader_deploy_approve', value: 'd-1@next' }],
      [],
    ],
  ];
  it.each(cases)('%s', (_name, actions, presses) => {
    const req = parseActionRequest(form({ ...base, actions }));
    expect(req.presses).toEqual(presses);
    expect(req.actor).toEqual({ id: 'U0ANA', name: 'ana' });
    expect(req.responseUrl).toBe(base.response_url);
  });

  it('answers other interaction types with no presses', () => {
    expect(parseActionRequest(form({ ...base, type: 'view_submission' })).presses).toEqual([]);
  });

  it.each([
    ['no payload field', 'foo=bar'],
    ['a payload that is not JSON', 'payload=%7Bnope'],
    ['a payload without a user', form({ type: 'block_actions', actions: [] })],
  ])('refuses %s as invalid input', (_name, body) => {
    expect(() => parseActionRequest(body)).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});

describe('deployApprovalValue', () => {
  it.each([
    ['names the deploy alone when the gate is not given', 'd-1', undefined],
    ['names the gate after an @ when given', 'd-1', 3],
  ])('%s, and pressOf reads it back', (_name, id, step) => {
    const value = deployApprovalValue(id, step);
    expect(pressOf({ action_id: ACTION_IDS.deployApprove, value })).toEqual({
      kind: 'deploy-approve',
      deployId: id,
      ...(step !== undefined ? { step } : {}),
    });
  });
});
