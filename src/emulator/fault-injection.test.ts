import { afterEach, describe, expect, it } from 'vitest';
import { type SlackEmulator, type SlackEmulatorOptions, seededRandom, startSlackEmulator } from './index.js';
import { clientFor, failure, fakeClock } from './harness.test-suite.js';

let emu: SlackEmulator | undefined;
afterEach(() => emu?.close());

async function start(options: SlackEmulatorOptions = {}) {
  emu = await startSlackEmulator({ now: fakeClock().now, rateLimits: 'off', ...options });
  return { emu, slack: clientFor(emu) };
}

describe('lost responses', () => {
  it('stores the message but the client sees a failure, so a blind retry would post twice', async () => {
    const { emu, slack } = await start();
    emu.faults.failNext('chat.postMessage', { drop: true });
    const err = await failure(slack.chat.postMessage({ channel: 'C1', text: 'did it land?' }));
    expect(err.code).toBe('slack_webapi_request_error');
    expect(emu.messages('C1').map((m) => m.text)).toEqual(['did it land?']);
    expect(emu.calls({ method: 'chat.postMessage' })[0]).toMatchObject({
      ok: true,
      dropped: true,
      ts: emu.messages('C1')[0]?.ts,
    });
    // The next call goes through on a fresh connection.
    expect((await slack.chat.postMessage({ channel: 'C1', text: 'next' })).ok).toBe(true);
  });

  it('drops responses at random with dropResponseRate, still storing every message', async () => {
    const { emu, slack } = await start({ faults: { dropResponseRate: 1 } });
    await failure(slack.chat.postMessage({ channel: 'C1', text: 'a' }));
    await failure(slack.chat.postMessage({ channel: 'C1', text: 'b' }));
    expect(emu.messages('C1')).toHaveLength(2);
    expect(emu.stats().dropped).toBe(2);
  });
});

describe('edge errors', () => {
  it('answers HTTP 503 with an error page and stores nothing when errorRate is 1', async () => {
    const { emu, slack } = await start({ faults: { errorRate: 1 } });
    const err = await failure(slack.chat.postMessage({ channel: 'C1', text: 'x' }));
    expect(err).toMatchObject({ code: 'slack_webapi_http_error', statusCode: 503 });
    expect(emu.messages('C1')).toEqual([]);
    expect(emu.stats().server_errors).toBe(1);
  });

  it('answers the scripted status, Slack error or 429 once each, then behaves again', async () => {
    const { emu, slack } = await start();
    emu.faults.failNext('chat.postMessage', { status: 502 });
    emu.faults.failNext('chat.postMessage', { error: 'fatal_error' });
    emu.faults.failNext('chat.postMessage', { status: 429, retryAfter: 30 });
    const post = () => slack.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(await failure(post())).toMatchObject({ statusCode: 502 });
    expect(await failure(post())).toMatchObject({ error: 'fatal_error' });
    expect(await failure(post())).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 30 });
    expect((await post()).ok).toBe(true);
    expect(emu.messages('C1')).toHaveLength(1);
    expect(emu.stats().ratelimited).toBe(1);
  });

  it('replays the same faults for the same seed', async () => {
    const outcomes = async (seed: number) => {
      const { emu, slack } = await start({ random: seededRandom(seed), faults: { errorRate: 0.5 } });
      const seen: boolean[] = [];
      for (let i = 0; i < 12; i++)
        seen.push(
          await slack.auth.test().then(
            () => true,
            () => false,
          ),
        );
      await emu.close();
      return seen;
    };
    const first = await outcomes(1234);
    expect(await outcomes(1234)).toEqual(first);
    expect(first).toContain(true);
    expect(first).toContain(false);
  });
});

describe('latency', () => {
  it('holds each answer for latencyMs', async () => {
    const { slack } = await start({ faults: { latencyMs: 60 } });
    const started = performance.now();
    await slack.auth.test();
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});
