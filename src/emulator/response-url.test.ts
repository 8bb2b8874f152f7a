import { describe, expect, it } from 'vitest';
import { applyResponse, RESPONSE_URL_TTL_MS, type ResponseTarget } from './response-url.js';
import type { StoredMessage } from './store.js';

const T0 = 1_800_000_000_000;
const buttons = { type: 'actions', block_id: 'b', elements: [{ type: 'button', action_id: 'go' }] };

function clicked(): { target: ResponseTarget; message: StoredMessage } {
  const content = { text: 'Approval needed', blocks: [buttons] };
  return {
    target: { channel: 'C1', ts: '1.000100', issuedAtMs: T0, uses: 0 },
    message: {
      channel: 'C1',
      ts: '1.000100',
      threadTs: '1.000000',
      content,
      original: { ...content },
      edits: [],
      replyBroadcast: false,
      user: 'U0BOT',
      authorToken: 'xoxb-test',
      postedAtMs: T0,
      reactions: new Map(),
      deleted: false,
      editWindowClosed: false,
      orphan: false,
      threadTsWasReply: false,
    },
  };
}

describe('applyResponse: what a response_url post does to the clicked message', () => {
  it.each<[string, Record<string, unknown>, string, (m: StoredMessage) => void]>([
    [
      'replace_original: true replaces text and blocks, and records the edit',
      {
        replace_original: true,
        text: 'Approved',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'ok' } }],
      },
      'replaced',
      (m) => {
        expect(m.content.text).toBe('Approved');
        expect(m.content.blocks).toMatchObject([{ type: 'section', text: { text: 'ok' } }]);
        expect(m.edits).toHaveLength(1);
        expect(m.editedTs).toBeDefined();
      },
    ],
    [
      'a replacement with text only leaves no blocks (it replaces the whole message)',
      { replace_original: 'true', text: 'Approved' },
      'replaced',
      (m) => expect(m.content.blocks).toBeUndefined(),
    ],
    [
      'delete_original: true deletes the message',
      { delete_original: true },
      'deleted',
      (m) => expect(m.deleted).toBe(true),
    ],
    [
      'replace_original: false is ephemeral: the message stays as it was',
      { response_type: 'ephemeral', replace_original: false, text: 'Only you can see this' },
      'ephemeral',
      (m) => {
        expect(m.content.blocks).toEqual([buttons]);
        expect(m.edits).toEqual([]);
      },
    ],
    ['no flags at all is ephemeral too', { text: 'hi' }, 'ephemeral', (m) => expect(m.edits).toEqual([])],
  ])('%s', (_name, body, effect, check) => {
    const { target, message } = clicked();
    const out = applyResponse(target, message, body, T0 + 1_000);
    expect(out).toMatchObject({ status: 200, body: { ok: true }, effect });
    check(message);
  });

  it.each<[string, (c: ReturnType<typeof clicked>) => [ResponseTarget | undefined, unknown, number], string]>(
    [
      ['a URL no click issued', (_c) => [undefined, { text: 'x' }, T0], 'invalid_url'],
      [
        'a URL older than 30 minutes',
        (c) => [c.target, { text: 'x' }, T0 + RESPONSE_URL_TTL_MS + 1],
        'expired_url',
      ],
      ['a sixth use', (c) => [{ ...c.target, uses: 5 }, { text: 'x' }, T0], 'used_url'],
      ['a replacement with nothing to show', (c) => [c.target, { replace_original: true }, T0], 'no_text'],
      [
        'a replacement with a malformed block',
        (c) => [c.target, { replace_original: true, text: 'x', blocks: [{ type: 'nonsense' }] }, T0],
        'invalid_blocks',
      ],
      [
        'an in_channel message (not emulated)',
        (c) => [c.target, { response_type: 'in_channel', text: 'x' }, T0],
        'emulator_unsupported',
      ],
    ],
  )('refuses %s and leaves the message alone', (_name, make, error) => {
    const c = clicked();
    const [target, body, now] = make(c);
    const out = applyResponse(target, c.message, body, now);
    expect(out.effect).toBe('refused');
    expect(out.body).toMatchObject({ ok: false, error });
    expect(c.message.edits).toEqual([]);
    expect(c.message.deleted).toBe(false);
  });

  it('does not replace a message that was deleted meanwhile', () => {
    const { target, message } = clicked();
    message.deleted = true;
    expect(applyResponse(target, message, { replace_original: true, text: 'x' }, T0).body).toMatchObject({
      error: 'message_not_found',
    });
  });
});
