import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebClient } from '@slack/web-api';
import { type SlackEmulator, startSlackEmulator } from './index.js';
import { clientFor, fakeClock, slackError } from './harness.test-suite.js';

const TS = /^\d{10}\.\d{6}$/;
let emu: SlackEmulator;
let slack: WebClient;
const clock = fakeClock();

beforeEach(async () => {
  emu = await startSlackEmulator({ now: clock.now, rateLimits: 'off' });
  slack = clientFor(emu);
});
afterEach(() => emu.close());

describe('auth.test', () => {
  it('names the workspace, the bot user and a workspace URL on the emulator', async () => {
    const res = await slack.auth.test();
    expect(res).toMatchObject({
      ok: true,
      url: `http://127.0.0.1:${emu.port}/`,
      team: 'Emulated Slack',
      team_id: 'T0EMULATOR',
      user_id: 'U0EMUBOT01',
      bot_id: 'B0EMUBOT01',
    });
    expect(emu.url).toBe(`http://127.0.0.1:${emu.port}/api/`);
  });
});

describe('block text limit', () => {
  it('refuses blocks carrying more than ~13,000 characters in all, as Slack does', async () => {
    const blocks = Array.from({ length: 20 }, () => ({
      type: 'section',
      text: { type: 'mrkdwn', text: 'x'.repeat(2_900) },
    }));
    expect(await slackError(slack.chat.postMessage({ channel: 'C1', text: 't', blocks }))).toBe(
      'msg_blocks_too_long',
    );
    expect(
      await slack.chat.postMessage({ channel: 'C1', text: 't', blocks: blocks.slice(0, 4) }),
    ).toMatchObject({ ok: true });
  });
});

describe('channel names and IDs', () => {
  it('posts by name like Slack, answering with the channel ID that every other method needs', async () => {
    const posted = await slack.chat.postMessage({ channel: '#alerts', text: 'by name' });
    expect(posted.channel).toMatch(/^C[A-Z0-9]{8}$/);
    expect((await slack.chat.postMessage({ channel: 'alerts', text: 'again' })).channel).toBe(posted.channel);
    expect(await slackError(slack.conversations.history({ channel: 'alerts' }))).toBe('channel_not_found');
    expect(
      await slackError(slack.chat.update({ channel: '#alerts', ts: posted.ts as string, text: 'x' })),
    ).toBe('channel_not_found');
    const history = await slack.conversations.history({ channel: posted.channel as string });
    expect(history.messages?.map((m) => m.text)).toEqual(['again', 'by name']);
    expect(emu.messages('#alerts')).toHaveLength(2);
  });
});

describe('chat.postMessage', () => {
  it('answers channel, ts and the stored message with its blocks', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*FIRING* HighLatency' } }];
    const res = await slack.chat.postMessage({ channel: 'C0ALERTS', text: 'FIRING HighLatency', blocks });
    expect(res.ts).toMatch(TS);
    expect(res).toMatchObject({
      ok: true,
      channel: 'C0ALERTS',
      message: {
        type: 'message',
        text: 'FIRING HighLatency',
        user: 'U0EMUBOT01',
        bot_id: 'B0EMUBOT01',
        ts: res.ts,
      },
    });
    expect(res.message?.blocks).toEqual([{ ...blocks[0], block_id: expect.any(String) }]);
  });

  it('gives strictly increasing ts values even when the clock stands still', async () => {
    const posts = [];
    for (let i = 0; i < 5; i++) posts.push(await slack.chat.postMessage({ channel: 'C1', text: `m${i}` }));
    const ts = posts.map((p) => p.ts as string);
    expect(new Set(ts).size).toBe(5);
    expect([...ts].sort()).toEqual(ts);
  });

  it('treats "#alerts" and "alerts" as one channel', async () => {
    await slack.chat.postMessage({ channel: '#alerts', text: 'one' });
    await slack.chat.postMessage({ channel: 'alerts', text: 'two' });
    expect(emu.messages('#alerts').map((m) => m.text)).toEqual(['one', 'two']);
  });

  it('files a reply under its parent, out of the channel history', async () => {
    const parent = await slack.chat.postMessage({ channel: 'C1', text: 'parent' });
    const reply = await slack.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: parent.ts });
    expect(reply.message).toMatchObject({ thread_ts: parent.ts, parent_user_id: 'U0EMUBOT01' });

    const history = await slack.conversations.history({ channel: 'C1' });
    expect(history.messages?.map((m) => m.text)).toEqual(['parent']);
    expect(history.messages?.[0]).toMatchObject({
      thread_ts: parent.ts,
      reply_count: 1,
      latest_reply: reply.ts,
      reply_users: ['U0EMUBOT01'],
    });
  });

  it('shows a broadcast reply in the channel as a thread_broadcast', async () => {
    const parent = await slack.chat.postMessage({ channel: 'C1', text: 'parent' });
    await slack.chat.postMessage({
      channel: 'C1',
      text: 'resolved',
      thread_ts: parent.ts as string,
      reply_broadcast: true,
    });
    const history = await slack.conversations.history({ channel: 'C1' });
    expect(history.messages?.map((m) => [m.text, m.subtype])).toEqual([
      ['resolved', 'thread_broadcast'],
      ['parent', undefined],
    ]);
    expect(emu.messages('C1')[1]).toMatchObject({ reply_broadcast: true, thread_ts: parent.ts });
  });

  it('accepts a thread_ts that names no message, and the reply is seen nowhere (as in Slack)', async () => {
    const res = await slack.chat.postMessage({ channel: 'C1', text: 'lost', thread_ts: '1600000000.000100' });
    expect(res.ok).toBe(true);
    expect((await slack.conversations.history({ channel: 'C1' })).messages).toEqual([]);
    expect(await slackError(slack.conversations.replies({ channel: 'C1', ts: '1600000000.000100' }))).toBe(
      'thread_not_found',
    );
    expect(emu.messages('C1')[0]).toMatchObject({ orphan: true, text: 'lost' });
  });

  it("files a reply posted with a reply's ts under the real parent, and flags it", async () => {
    const parent = await slack.chat.postMessage({ channel: 'C1', text: 'parent' });
    const first = await slack.chat.postMessage({ channel: 'C1', text: 'r1', thread_ts: parent.ts });
    await slack.chat.postMessage({ channel: 'C1', text: 'r2', thread_ts: first.ts });
    expect(emu.threads('C1')[0]?.replies.map((r) => [r.text, r.thread_ts_was_reply])).toEqual([
      ['r1', false],
      ['r2', true],
    ]);
  });
});

describe('chat.update', () => {
  it('answers channel, ts, text and the message, and records the edit', async () => {
    const post = await slack.chat.postMessage({
      channel: 'C1',
      text: 'FIRING',
      blocks: [{ type: 'divider' }],
      metadata: { event_type: 'alert_thread', event_payload: { key: 'k1' } },
    });
    clock.advance(5000);
    const res = await slack.chat.update({ channel: 'C1', ts: post.ts as string, text: 'RESOLVED' });
    expect(res).toMatchObject({ ok: true, channel: 'C1', ts: post.ts, text: 'RESOLVED' });
    expect(res.message).toMatchObject({ text: 'RESOLVED', edited: { user: 'U0EMUBOT01' } });

    const [stored] = emu.messages('C1');
    expect(stored).toMatchObject({ text: 'RESOLVED', original: { text: 'FIRING' } });
    // Omitted blocks and metadata keep their old values, as in Slack.
    expect(stored?.blocks).toHaveLength(1);
    expect(stored?.metadata).toEqual({ event_type: 'alert_thread', event_payload: { key: 'k1' } });
    expect(stored?.edits).toEqual([
      expect.objectContaining({ at_ms: clock.now(), text: 'RESOLVED', blocks: stored?.blocks }),
    ]);
  });

  it('removes blocks when updated with an empty list', async () => {
    const post = await slack.chat.postMessage({ channel: 'C1', text: 'x', blocks: [{ type: 'divider' }] });
    await slack.chat.update({ channel: 'C1', ts: post.ts as string, text: 'y', blocks: [] });
    expect(emu.messages('C1')[0]?.blocks).toBeUndefined();
  });
});

describe('chat.getPermalink', () => {
  it('links a top-level message under the workspace URL', async () => {
    const post = await slack.chat.postMessage({ channel: 'C1', text: 'x' });
    const res = await slack.chat.getPermalink({ channel: 'C1', message_ts: post.ts as string });
    expect(res).toMatchObject({
      ok: true,
      channel: 'C1',
      permalink: `${emu.baseUrl}archives/C1/p${(post.ts as string).replace('.', '')}`,
    });
  });

  it('links a reply with thread_ts and cid, like Slack', async () => {
    const parent = await slack.chat.postMessage({ channel: 'C1', text: 'x' });
    const reply = await slack.chat.postMessage({ channel: 'C1', text: 'y', thread_ts: parent.ts });
    const { permalink } = await slack.chat.getPermalink({ channel: 'C1', message_ts: reply.ts as string });
    expect(permalink).toBe(
      `${emu.baseUrl}archives/C1/p${(reply.ts as string).replace('.', '')}?thread_ts=${parent.ts}&cid=C1`,
    );
    const page = await fetch(permalink as string);
    expect(await page.json()).toMatchObject({ channel: 'C1', message: { text: 'y', ts: reply.ts } });
  });
});

describe('reactions.add', () => {
  it('adds a reaction once and answers already_reacted the second time', async () => {
    const post = await slack.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(
      (await slack.reactions.add({ channel: 'C1', timestamp: post.ts as string, name: 'white_check_mark' }))
        .ok,
    ).toBe(true);
    expect(
      await slackError(
        slack.reactions.add({ channel: 'C1', timestamp: post.ts as string, name: 'white_check_mark' }),
      ),
    ).toBe('already_reacted');
    const history = await slack.conversations.history({ channel: 'C1' });
    expect(history.messages?.[0]?.reactions).toEqual([
      { name: 'white_check_mark', users: ['U0EMUBOT01'], count: 1 },
    ]);
  });
});

describe('conversations.history', () => {
  async function postMany(n: number): Promise<string[]> {
    const ts: string[] = [];
    for (let i = 0; i < n; i++) {
      clock.advance(1000);
      ts.push((await slack.chat.postMessage({ channel: 'C1', text: `m${i}` })).ts as string);
    }
    return ts;
  }

  it('pages newest first with has_more and a next_cursor until the end', async () => {
    await postMany(5);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const res = await slack.conversations.history({ channel: 'C1', limit: 2, cursor });
      pages.push((res.messages ?? []).map((m) => m.text as string));
      expect(res.has_more).toBe(Boolean(res.response_metadata?.next_cursor));
      cursor = res.response_metadata?.next_cursor || undefined;
    } while (cursor);
    expect(pages).toEqual([['m4', 'm3'], ['m2', 'm1'], ['m0']]);
  });

  it('keeps oldest and latest exclusive unless inclusive is set', async () => {
    const ts = await postMany(4);
    const between = await slack.conversations.history({ channel: 'C1', oldest: ts[0], latest: ts[3] });
    expect(between.messages?.map((m) => m.text)).toEqual(['m2', 'm1']);
    const inclusive = await slack.conversations.history({
      channel: 'C1',
      oldest: ts[0],
      latest: ts[3],
      inclusive: true,
    });
    expect(inclusive.messages?.map((m) => m.text)).toEqual(['m3', 'm2', 'm1', 'm0']);
  });

  it('returns metadata only when include_all_metadata is true', async () => {
    const metadata = { event_type: 'alert_thread', event_payload: { thread_key: 'abc' } };
    const parent = await slack.chat.postMessage({ channel: 'C1', text: 'x', metadata });
    await slack.chat.postMessage({ channel: 'C1', text: 'r', thread_ts: parent.ts, metadata });

    const without = await slack.conversations.history({ channel: 'C1' });
    expect(without.messages?.[0]).not.toHaveProperty('metadata');
    const withAll = await slack.conversations.history({ channel: 'C1', include_all_metadata: true });
    expect(withAll.messages?.[0]?.metadata).toEqual(metadata);

    const replies = await slack.conversations.replies({ channel: 'C1', ts: parent.ts as string });
    expect(replies.messages?.some((m) => 'metadata' in m)).toBe(false);
    const repliesAll = await slack.conversations.replies({
      channel: 'C1',
      ts: parent.ts as string,
      include_all_metadata: true,
    });
    expect(repliesAll.messages?.map((m) => m.metadata)).toEqual([metadata, metadata]);
  });

  it('drops a deleted message but keeps a deleted parent with replies as a tombstone', async () => {
    const lone = await slack.chat.postMessage({ channel: 'C1', text: 'lone' });
    const parent = await slack.chat.postMessage({ channel: 'C1', text: 'parent' });
    await slack.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: parent.ts });
    expect(await slack.chat.delete({ channel: 'C1', ts: lone.ts as string })).toMatchObject({
      ok: true,
      ts: lone.ts,
    });
    await slack.chat.delete({ channel: 'C1', ts: parent.ts as string });
    const history = await slack.conversations.history({ channel: 'C1' });
    expect(history.messages?.map((m) => [m.subtype, m.text])).toEqual([
      ['tombstone', 'This message was deleted.'],
    ]);
  });
});

describe('conversations.replies', () => {
  it('lists the parent first, then replies oldest first, in pages', async () => {
    const parent = await slack.chat.postMessage({ channel: 'C1', text: 'p' });
    for (let i = 0; i < 4; i++)
      await slack.chat.postMessage({ channel: 'C1', text: `r${i}`, thread_ts: parent.ts });
    const first = await slack.conversations.replies({ channel: 'C1', ts: parent.ts as string, limit: 3 });
    expect(first.messages?.map((m) => m.text)).toEqual(['p', 'r0', 'r1']);
    expect(first.has_more).toBe(true);
    const second = await slack.conversations.replies({
      channel: 'C1',
      ts: parent.ts as string,
      limit: 3,
      cursor: first.response_metadata?.next_cursor,
    });
    expect(second.messages?.map((m) => m.text)).toEqual(['r2', 'r3']);
    expect(second.has_more).toBe(false);
  });

  it("answers the whole thread when asked with a reply's ts", async () => {
    const parent = await slack.chat.postMessage({ channel: 'C1', text: 'p' });
    const reply = await slack.chat.postMessage({ channel: 'C1', text: 'r', thread_ts: parent.ts });
    const res = await slack.conversations.replies({ channel: 'C1', ts: reply.ts as string });
    expect(res.messages?.map((m) => m.text)).toEqual(['p', 'r']);
  });
});

describe('request encodings', () => {
  it('accepts a JSON body with a bearer token', async () => {
    const res = await fetch(`${emu.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-json', 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C1', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C1', message: { text: 'json' } });
  });

  it('warns missing_charset for JSON without a charset, as Slack does', async () => {
    const res = await fetch(`${emu.url}auth.test`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-json', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await res.json()).toMatchObject({
      ok: true,
      warning: 'missing_charset',
      response_metadata: { warnings: ['missing_charset'] },
    });
  });

  it('accepts the token as a form parameter', async () => {
    const res = await fetch(`${emu.url}auth.test`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=xoxb-form',
    });
    expect(await res.json()).toMatchObject({ ok: true, user_id: 'U0EMUBOT01' });
  });
});
