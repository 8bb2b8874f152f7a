import { describe, expect, it } from 'vitest';
import { CallLog, maxInWindow } from './call-log.js';

describe('maxInWindow', () => {
  it.each([
    ['is zero for no calls', [], 1000, 0],
    ['counts calls at the same instant together', [0, 0, 0], 1000, 3],
    ['keeps a call exactly one window later out of the window', [0, 1000, 2000], 1000, 1],
    ['finds the busiest window anywhere in the log', [0, 5000, 5100, 5200, 5999, 9000], 1000, 4],
    ['does not depend on the order calls were logged in', [5200, 0, 5100, 5000], 1000, 3],
  ])('%s', (_name, times, windowMs, expected) => {
    expect(maxInWindow(times, windowMs)).toBe(expected);
  });
});

describe('CallLog', () => {
  it('computes the observed rate from successful calls only', () => {
    const log = new CallLog();
    const base = { method: 'chat.postMessage', channel: 'C1', dropped: false };
    log.add({ ...base, at_ms: 0, http_status: 200, ok: true });
    log.add({ ...base, at_ms: 10, http_status: 429, ok: false, error: 'ratelimited' });
    log.add({ ...base, at_ms: 20, http_status: 200, ok: false, error: 'no_text' });
    log.add({ ...base, at_ms: 30, http_status: 200, ok: true, dropped: true });
    log.add({ ...base, channel: 'C2', at_ms: 40, http_status: 200, ok: true });
    expect(log.maxRateObserved('chat.postMessage', 'C1')).toBe(2);
    expect(log.maxRateObserved('chat.postMessage')).toBe(3);
    expect(log.stats()).toMatchObject({ total: 5, ok: 3, ratelimited: 1, dropped: 1 });
  });
});
