import { describe, expect, it } from 'vitest';
import { Faults } from './faults.js';
import { seededRandom } from './random.js';

describe('Faults', () => {
  it('answers scripted faults in order, each for its count, then nothing', () => {
    const faults = new Faults(() => 0.99);
    faults.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    faults.failNext('chat.postMessage', { error: 'fatal_error', count: 2 });
    const seen = Array.from({ length: 4 }, () => faults.decide('chat.postMessage'));
    expect(seen).toEqual([
      { kind: 'http', status: 429, retryAfter: 7 },
      { kind: 'error', error: 'fatal_error' },
      { kind: 'error', error: 'fatal_error' },
      { kind: 'none' },
    ]);
  });

  it('leaves other methods alone unless the fault is for any method', () => {
    const faults = new Faults(() => 0.99);
    faults.failNext('chat.update', { status: 503 });
    expect(faults.decide('chat.postMessage')).toEqual({ kind: 'none' });
    faults.failNext('*', { drop: true });
    expect(faults.decide('auth.test')).toEqual({ kind: 'drop' });
    expect(faults.decide('chat.update')).toEqual({ kind: 'http', status: 503 });
  });

  it('replays the same random faults for the same seed', () => {
    const draw = (seed: number) => {
      const faults = new Faults(seededRandom(seed), { errorRate: 0.3, dropResponseRate: 0.3 });
      return Array.from({ length: 50 }, () => faults.decide('chat.postMessage').kind);
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(7));
    expect(new Set(draw(42))).toEqual(new Set(['none', 'http', 'drop']));
  });

  it('restricts random faults to the listed methods', () => {
    const faults = new Faults(() => 0, { errorRate: 1, methods: ['chat.update'] });
    expect(faults.decide('chat.postMessage')).toEqual({ kind: 'none' });
    expect(faults.decide('chat.update')).toEqual({ kind: 'http', status: 503 });
  });

  it('draws latency from the range', () => {
    const faults = new Faults(() => 0.5, { latencyMs: [100, 300] });
    expect(faults.latencyFor('auth.test')).toBe(200);
  });
});
