import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebClient } from '@slack/web-api';
import { type SlackEmulator, startSlackEmulator } from './index.js';
import { clientFor, failure, slackError } from './harness.test-suite.js';

let emu: SlackEmulator;
let slack: WebClient;
beforeEach(async () => {
  emu = await startSlackEmulator({ rateLimits: 'off' });
  slack = clientFor(emu);
});
afterEach(() => emu.close());

async function get(path: string): Promise<unknown> {
  const res = await fetch(`${emu.baseUrl}_emulator/${path}`);
  expect(res.status).toBe(200);
  return res.json();
}

async function post(path: string, body: unknown = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${emu.baseUrl}_emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('reading state over HTTP', () => {
  it('lists channels, messages with metadata and edits, threads and calls', async () => {
    const metadata = { event_type: 'alert_thread', event_payload: { key: 'k' } };
    const parent = await slack.chat.postMessage({ channel: 'C1', text: 'FIRING', metadata });
    await slack.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: parent.ts as string });
    await slack.chat.update({ channel: 'C1', ts: parent.ts as string, text: 'RESOLVED' });

    expect(await get('channels')).toEqual([{ id: 'C1', archived: false, deleted: false, message_count: 2 }]);
    expect(await get('messages?channel=C1')).toMatchObject([
      {
        ts: parent.ts,
        text: 'RESOLVED',
        metadata,
        original: { text: 'FIRING' },
        edits: [{ text: 'RESOLVED' }],
        by_bot: true,
      },
      { text: 'reply', thread_ts: parent.ts, reply_broadcast: false },
    ]);
    expect(await get('threads?channel=C1')).toMatchObject([
      { parent: { ts: parent.ts }, replies: [{ text: 'reply' }] },
    ]);
    expect(await get('calls?method=chat.update')).toMatchObject([
      { method: 'chat.update', channel: 'C1', ok: true },
    ]);
    expect(await get('stats')).toMatchObject({ total: 3, ok: 3 });
    expect(await get('rate?method=chat.postMessage&channel=C1')).toEqual({ max: 2 });
  });

  it('answers 400 naming the missing query parameter', async () => {
    const res = await fetch(`${emu.baseUrl}_emulator/messages`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', problems: ['channel: required'] });
  });
});

describe('controls over HTTP', () => {
  it('scripts a one-shot fault for the next call', async () => {
    const set = await post('faults', { failNext: [{ method: 'chat.postMessage', status: 503 }] });
    expect(set.body).toMatchObject({ pending: [{ method: 'chat.postMessage', status: 503, count: 1 }] });
    expect(await failure(slack.chat.postMessage({ channel: 'C1', text: 'x' }))).toMatchObject({
      statusCode: 503,
    });
    expect((await slack.chat.postMessage({ channel: 'C1', text: 'x' })).ok).toBe(true);
  });

  it('sets random faults and rejects settings out of range', async () => {
    expect((await post('faults', { errorRate: 1 })).status).toBe(200);
    expect(emu.faults.get().errorRate).toBe(1);
    const bad = await post('faults', { errorRate: 2, surprise: true });
    expect(bad.status).toBe(400);
    expect((bad.body as { problems: string[] }).problems.length).toBe(2);
  });

  it('archives and deletes channels', async () => {
    await post('channels/archive', { channel: 'C1' });
    expect(await slackError(slack.chat.postMessage({ channel: 'C1', text: 'x' }))).toBe('is_archived');
    await post('channels/delete', { channel: 'C1' });
    expect(await slackError(slack.chat.postMessage({ channel: 'C1', text: 'x' }))).toBe('channel_not_found');
  });

  it('closes the edit window of a message and deletes messages', async () => {
    const a = await slack.chat.postMessage({ channel: 'C1', text: 'a' });
    const b = await slack.chat.postMessage({ channel: 'C1', text: 'b' });
    expect((await post('messages/edit-window', { ts: a.ts })).status).toBe(200);
    expect(await slackError(slack.chat.update({ channel: 'C1', ts: a.ts as string, text: 'y' }))).toBe(
      'edit_window_closed',
    );
    expect((await post('messages/delete', { channel: 'C1', ts: b.ts })).status).toBe(200);
    expect((await post('messages/delete', { channel: 'C1', ts: b.ts })).status).toBe(404);
  });

  it("posts a person's message the bot cannot edit", async () => {
    const res = await post('messages', { channel: 'C1', text: 'ack, looking', user: 'U0ONCALL' });
    const ts = (res.body as { ts: string }).ts;
    expect(await slackError(slack.chat.update({ channel: 'C1', ts, text: 'y' }))).toBe('cant_update_message');
    expect(emu.messages('C1')[0]).toMatchObject({ user: 'U0ONCALL', by_bot: false });
  });

  it('resets messages, calls and faults', async () => {
    await slack.chat.postMessage({ channel: 'C1', text: 'x' });
    emu.faults.set({ errorRate: 1 });
    expect((await post('reset')).status).toBe(200);
    expect(await get('channels')).toEqual([]);
    expect(await get('calls')).toEqual([]);
    expect(emu.faults.get().errorRate).toBe(0);
  });

  it('answers 404 for a route it does not have', async () => {
    expect((await post('nonsense')).status).toBe(404);
  });
});
