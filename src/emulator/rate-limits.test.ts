import { afterEach, describe, expect, it } from 'vitest';
import { type SlackEmulator, type SlackEmulatorOptions, startSlackEmulator } from './index.js';
import { clientFor, failure, fakeClock } from './harness.test-suite.js';

let emu: SlackEmulator | undefined;
afterEach(() => emu?.close());

async function start(options: SlackEmulatorOptions = {}) {
  const clock = fakeClock();
  emu = await startSlackEmulator({ now: clock.now, ...options });
  return { emu, clock, slack: clientFor(emu) };
}

describe('chat.postMessage: 1 per second per channel, short bursts tolerated', () => {
  it('answers HTTP 429 with Retry-After after a burst of three, then lets the next post through a second later', async () => {
    const { emu, clock, slack } = await start();
    for (let i = 0; i < 3; i++) await slack.chat.postMessage({ channel: 'C1', text: `burst ${i}` });

    const limited = await failure(slack.chat.postMessage({ channel: 'C1', text: 'one too many' }));
    expect(limited).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 1 });
    expect(emu.messages('C1')).toHaveLength(3);

    clock.advance(1000);
    expect((await slack.chat.postMessage({ channel: 'C1', text: 'after the wait' })).ok).toBe(true);
    expect(emu.stats()).toMatchObject({
      ratelimited: 1,
      by_method: { 'chat.postMessage': { ok: 4, ratelimited: 1 } },
    });
  });

  it('limits each channel on its own', async () => {
    const { slack } = await start();
    for (let i = 0; i < 3; i++) await slack.chat.postMessage({ channel: 'C1', text: 'x' });
    await failure(slack.chat.postMessage({ channel: 'C1', text: 'x' }));
    expect((await slack.chat.postMessage({ channel: 'C2', text: 'other channel' })).ok).toBe(true);
  });

  it('sends the 429 the way Slack does: status, Retry-After header, ratelimited body', async () => {
    const { emu } = await start({
      rateLimits: { 'auth.test': { perChannel: false, ratePerSec: 0.1, burst: 1 } },
    });
    const call = () =>
      fetch(`${emu.url}auth.test`, { method: 'POST', headers: { authorization: 'Bearer xoxb-t' } });
    expect((await call()).status).toBe(200);
    const res = await call();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('10');
    expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('reports the busiest second of successful posts from the call log', async () => {
    const { emu, clock, slack } = await start();
    for (let i = 0; i < 6; i++) {
      await slack.chat.postMessage({ channel: 'C1', text: 'x' }).catch(() => undefined);
      clock.advance(250);
    }
    // Three from the burst at 0-500 ms, then the refill allows one more per second.
    expect(emu.calls({ method: 'chat.postMessage' }).map((c) => c.http_status)).toEqual([
      200, 200, 200, 429, 200, 429,
    ]);
    expect(emu.maxRateObserved('chat.postMessage', 'C1', 1000)).toBe(3);
    expect(emu.maxRateObserved('chat.postMessage', 'C1', 2000)).toBe(4);
  });
});

describe('Tier 3 methods', () => {
  it('allow a burst of ten chat.update calls across channels, then ask to wait two seconds', async () => {
    const { slack } = await start({ rateLimits: { 'chat.postMessage': 'off' } });
    const posts = [];
    for (let i = 0; i < 11; i++) posts.push(await slack.chat.postMessage({ channel: `C${i}`, text: 'x' }));
    for (let i = 0; i < 10; i++) {
      await slack.chat.update({ channel: `C${i}`, ts: posts[i]?.ts as string, text: 'y' });
    }
    const limited = await failure(
      slack.chat.update({ channel: 'C10', ts: posts[10]?.ts as string, text: 'y' }),
    );
    expect(limited).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 2 });
  });
});

describe('configuration', () => {
  it("turns every limit off with rateLimits: 'off'", async () => {
    const { emu, slack } = await start({ rateLimits: 'off' });
    for (let i = 0; i < 20; i++) await slack.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(emu.stats().ratelimited).toBe(0);
    expect(emu.rateLimits()).toEqual({});
  });

  it('takes a per-method override and keeps the other defaults', async () => {
    const { emu } = await start({
      rateLimits: { 'chat.postMessage': { perChannel: true, ratePerSec: 2, burst: 1 } },
    });
    expect(emu.rateLimits()['chat.postMessage']).toEqual({ perChannel: true, ratePerSec: 2, burst: 1 });
    expect(emu.rateLimits()['chat.update']).toMatchObject({ perChannel: false });
  });
});
