import { describe, expect, it } from 'vitest';
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
