import { afterEach, describe, expect, it } from 'vitest';
import { type SlackEmulator, type SlackEmulatorOptions, startSlackEmulator } from './index.js';
import { clientFor, failure, slackError } from './harness.test-suite.js';

let emu: SlackEmulator | undefined;
afterEach(() => emu?.close());

async function start(options: SlackEmulatorOptions = {}) {
  emu = await startSlackEmulator({ rateLimits: 'off', ...options });
  return { emu, slack: clientFor(emu) };
}

describe('authentication errors', () => {
  it('answers not_authed when no token is sent', async () => {
    const { emu } = await start();
    expect(await slackError(clientFor(emu, '').auth.test())).toBe('not_authed');
  });

  it('answers invalid_auth for a token that is not a bot token', async () => {
    const { emu } = await start();
    expect(await slackError(clientFor(emu, 'xoxp-user-token').auth.test())).toBe('invalid_auth');
  });

  it('answers invalid_auth for any token but the configured one', async () => {
    const { emu } = await start({ token: 'xoxb-the-one' });
    expect(await slackError(clientFor(emu, 'xoxb-another').auth.test())).toBe('invalid_auth');
    expect((await clientFor(emu, 'xoxb-the-one').auth.test()).ok).toBe(true);
  });

  it('answers every error with HTTP 200, as Slack does', async () => {
    const { emu } = await start();
    const res = await fetch(`${emu.url}auth.test`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: false, error: 'not_authed' });
  });
});

describe('channel errors', () => {
  it('answers channel_not_found for an unknown channel when channels are not auto-created', async () => {
    const { slack } = await start({ autoCreateChannels: false, channels: ['C0KNOWN'] });
    expect(await slackError(slack.chat.postMessage({ channel: 'C0OTHER', text: 'x' }))).toBe(
      'channel_not_found',
    );
    expect((await slack.chat.postMessage({ channel: 'C0KNOWN', text: 'x' })).ok).toBe(true);
  });

  it('answers channel_not_found once a channel is deleted', async () => {
    const { emu, slack } = await start();
    await slack.chat.postMessage({ channel: 'C1', text: 'x' });
    emu.deleteChannel('C1');
    expect(await slackError(slack.chat.postMessage({ channel: 'C1', text: 'x' }))).toBe('channel_not_found');
    expect(await slackError(slack.conversations.history({ channel: 'C1' }))).toBe('channel_not_found');
  });

  it('answers is_archived for posts, updates and reactions in an archived channel', async () => {
    const { emu, slack } = await start();
    const post = await slack.chat.postMessage({ channel: 'C1', text: 'x' });
    emu.archiveChannel('C1');
    expect(await slackError(slack.chat.postMessage({ channel: 'C1', text: 'x' }))).toBe('is_archived');
    expect(await slackError(slack.chat.update({ channel: 'C1', ts: post.ts as string, text: 'y' }))).toBe(
      'is_archived',
    );
    expect(
      await slackError(slack.reactions.add({ channel: 'C1', timestamp: post.ts as string, name: 'eyes' })),
    ).toBe('is_archived');
    // History stays readable, as in Slack.
    expect((await slack.conversations.history({ channel: 'C1' })).messages).toHaveLength(1);
  });
});

describe('message errors', () => {
  it('answers message_not_found for update, delete, permalink and reactions of an unknown ts', async () => {
    const { slack } = await start();
    const ts = '1700000000.000001';
    expect(await slackError(slack.chat.update({ channel: 'C1', ts, text: 'y' }))).toBe('message_not_found');
    expect(await slackError(slack.chat.delete({ channel: 'C1', ts }))).toBe('message_not_found');
    expect(await slackError(slack.chat.getPermalink({ channel: 'C1', message_ts: ts }))).toBe(
      'message_not_found',
    );
    expect(await slackError(slack.reactions.add({ channel: 'C1', timestamp: ts, name: 'eyes' }))).toBe(
      'message_not_found',
    );
  });

  it('answers message_not_found for a message deleted through the controls', async () => {
    const { emu, slack } = await start();
    const post = await slack.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(emu.deleteMessage('C1', post.ts as string)).toBe(true);
    expect(await slackError(slack.chat.update({ channel: 'C1', ts: post.ts as string, text: 'y' }))).toBe(
      'message_not_found',
    );
  });

  it('answers cant_update_message for a message another token posted', async () => {
    const { emu, slack } = await start();
    const post = await clientFor(emu, 'xoxb-other-app').chat.postMessage({ channel: 'C1', text: 'x' });
    expect(await slackError(slack.chat.update({ channel: 'C1', ts: post.ts as string, text: 'y' }))).toBe(
      'cant_update_message',
    );
  });

  it('answers cant_update_message and cant_delete_message for a message a person posted', async () => {
    const { emu, slack } = await start();
    const ts = emu.postAsUser('C1', { text: 'hello from a human' });
    expect(await slackError(slack.chat.update({ channel: 'C1', ts, text: 'y' }))).toBe('cant_update_message');
    expect(await slackError(slack.chat.delete({ channel: 'C1', ts }))).toBe('cant_delete_message');
  });

  it('answers edit_window_closed once the edit window of a message is closed', async () => {
    const { emu, slack } = await start();
    const post = await slack.chat.postMessage({ channel: 'C1', text: 'x' });
    emu.setEditWindowClosed(post.ts as string);
    expect(await slackError(slack.chat.update({ channel: 'C1', ts: post.ts as string, text: 'y' }))).toBe(
      'edit_window_closed',
    );
  });

  it('answers thread_not_found for replies of an unknown ts', async () => {
    const { slack } = await start();
    expect(await slackError(slack.conversations.replies({ channel: 'C1', ts: '1700000000.000001' }))).toBe(
      'thread_not_found',
    );
  });

  it('answers already_reacted and invalid_name for reactions', async () => {
    const { slack } = await start();
    const post = await slack.chat.postMessage({ channel: 'C1', text: 'x' });
    const ts = post.ts as string;
    await slack.reactions.add({ channel: 'C1', timestamp: ts, name: 'eyes' });
    expect(await slackError(slack.reactions.add({ channel: 'C1', timestamp: ts, name: 'eyes' }))).toBe(
      'already_reacted',
    );
    expect(await slackError(slack.reactions.add({ channel: 'C1', timestamp: ts, name: ':eyes:' }))).toBe(
      'invalid_name',
    );
  });
});

describe('content errors', () => {
  it('answers no_text when there is no text, blocks or attachments', async () => {
    const { slack } = await start();
    expect(await slackError(slack.chat.postMessage({ channel: 'C1', text: '' }))).toBe('no_text');
  });

  it('answers msg_too_long for text over 40,000 characters', async () => {
    const { slack } = await start();
    expect(await slackError(slack.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) }))).toBe(
      'msg_too_long',
    );
  });

  it('answers invalid_blocks with the json-pointer line Slack adds', async () => {
    const { slack } = await start();
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const err = await failure(slack.chat.postMessage({ channel: 'C1', text: 'x', blocks }));
    expect(err.error).toBe('invalid_blocks');
    expect(err.data?.response_metadata).toMatchObject({
      messages: ['[ERROR] no more than 50 items allowed [json-pointer:/blocks]'],
    });
  });

  it('answers invalid_blocks for an oversized section on update too', async () => {
    const { slack } = await start();
    const post = await slack.chat.postMessage({ channel: 'C1', text: 'x' });
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }];
    expect(
      await slackError(slack.chat.update({ channel: 'C1', ts: post.ts as string, text: 'x', blocks })),
    ).toBe('invalid_blocks');
  });

  it('answers invalid_blocks_format for blocks that are not JSON', async () => {
    const { emu } = await start();
    const res = await fetch(`${emu.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer xoxb-t' },
      body: new URLSearchParams({ channel: 'C1', text: 'x', blocks: '[{"type":' }).toString(),
    });
    expect(await res.json()).toEqual({ ok: false, error: 'invalid_blocks_format' });
  });

  it('answers invalid_arguments for a limit that is not a number', async () => {
    const { emu } = await start();
    const res = await fetch(`${emu.url}conversations.history`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer xoxb-t' },
      body: 'channel=C1&limit=lots',
    });
    expect(await res.json()).toMatchObject({ ok: false, error: 'invalid_arguments' });
  });
});

describe('unknown methods', () => {
  it('answers unknown_method for a method the emulator does not offer', async () => {
    const { slack } = await start();
    const err = await failure(
      slack.apiCall('chat.scheduleMessage', { channel: 'C1', text: 'x', post_at: 1 }),
    );
    expect(err).toMatchObject({ error: 'unknown_method', data: { req_method: 'chat.scheduleMessage' } });
  });
});
