import { describe, expect, it } from 'vitest';
import { LiveEvents, type Timers } from './live-events.js';

/** Timers run by hand: the test says when time passes. */
function manualTimers() {
  let next = 1;
  const pending = new Map<number, { fn: () => void; every?: number }>();
  const timers: Timers = {
    setTimeout: (fn) => {
      pending.set(next, { fn });
      return next++;
    },
    clearTimeout: (h) => void pending.delete(h as number),
    setInterval: (fn, ms) => {
      pending.set(next, { fn, every: ms });
      return next++;
    },
    clearInterval: (h) => void pending.delete(h as number),
  };
  return {
    timers,
    /** Fires the one-shot timers, then each interval once. */
    tick() {
      for (const [id, t] of [...pending]) {
        if (t.every === undefined) pending.delete(id);
        t.fn();
      }
    },
    get active() {
      return pending.size;
    },
  };
}

function sink() {
  const chunks: string[] = [];
  return {
    chunks,
    ended: false,
    write: (c: string) => void chunks.push(c),
    end() {
      this.ended = true;
    },
  };
}

describe('LiveEvents', () => {
  it('starts a stream with the reconnect delay, then sends named events as JSON', () => {
    const t = manualTimers();
    const hub = new LiveEvents({ timers: t.timers, retryMs: 2000 });
    const s = sink();
    hub.attach(s);
    hub.publish({ type: 'message', threadId: 'ep_1' });
    t.tick();
    expect(s.chunks.join('')).toBe(
      'retry: 2000\n: connected\n\n: heartbeat\n\nevent: message\ndata: {"threadId":"ep_1"}\n\n',
    );
  });

  it('coalesces the same event published many times before a flush into one', () => {
    const t = manualTimers();
    const hub = new LiveEvents({ timers: t.timers });
    const s = sink();
    hub.attach(s);
    for (let i = 0; i < 5; i++) hub.publish({ type: 'thread', threadId: 'ep_1' });
    hub.publish({ type: 'guard' });
    t.tick();
    const text = s.chunks.join('');
    expect(text.match(/event: thread/g)).toHaveLength(1);
    expect(text).toContain('event: guard\ndata: {}\n\n');
  });

  it('tells a storm of thread changes as one "threads" event', () => {
    const t = manualTimers();
    const hub = new LiveEvents({ timers: t.timers });
    const s = sink();
    hub.attach(s);
    for (let i = 0; i < 50; i++) hub.publish({ type: 'thread', threadId: `ep_${i}` });
    t.tick();
    const text = s.chunks.join('');
    expect(text).not.toContain('event: thread\n');
    expect(text.match(/event: threads/g)).toHaveLength(1);
  });

  it('says when the first client arrives and the last leaves, and stops its heartbeat then', () => {
    const t = manualTimers();
    const seen: boolean[] = [];
    const hub = new LiveEvents({ timers: t.timers, onActive: (a) => seen.push(a) });
    const leaveA = hub.attach(sink());
    const leaveB = hub.attach(sink());
    leaveA();
    leaveB();
    expect(seen).toEqual([true, false]);
    expect(hub.clients).toBe(0);
    expect(t.active).toBe(0);
  });

  it('close() ends every open stream and refuses new ones', () => {
    const hub = new LiveEvents({ timers: manualTimers().timers });
    const a = sink();
    hub.attach(a);
    hub.close();
    const b = sink();
    hub.attach(b);
    expect(a.ended).toBe(true);
    expect(b.ended).toBe(true);
    expect(hub.clients).toBe(0);
  });
});
