import type { DashboardEventType } from './views.js';

/**
 * Server-sent events for the dashboard (protocol: WHATWG HTML "Server-sent events"): named events
 * `thread`, `message`, `threads`, `guard` with a small JSON body, and comment lines as heartbeats so
 * proxies keep the stream open and a dead client is noticed. Events are coalesced for `flushMs`:
 * a storm of webhooks becomes a few refreshes, not thousands.
 */

export interface DashboardEvent {
  type: DashboardEventType;
  threadId?: string;
}

/** The part of a response the hub writes to (an http.ServerResponse in serve). */
export interface EventSink {
  write(chunk: string): unknown;
  end(): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** More distinct threads than this in one flush are told as one `threads` event. */
const MAX_THREAD_EVENTS = 20;

export function formatEvent(e: DashboardEvent): string {
  return `event: ${e.type}\ndata: ${JSON.stringify(e.threadId ? { threadId: e.threadId } : {})}\n\n`;
}

export class LiveEvents {
  private readonly sinks = new Set<EventSink>();
  private queue = new Map<string, DashboardEvent>();
  private flushTimer: unknown;
  private heartbeat: unknown;
  private closed = false;
  private readonly timers: Timers;

  constructor(
    private readonly opts: {
      heartbeatMs?: number;
      flushMs?: number;
      /** Browsers wait this long before reconnecting a dropped stream. */
      retryMs?: number;
      timers?: Timers;
      /** Called when the first client arrives (true) and the last one leaves (false). */
      onActive?: (active: boolean) => void;
    } = {},
  ) {
    this.timers = opts.timers ?? realTimers;
  }

  get clients(): number {
    return this.sinks.size;
  }

  /** Starts a stream on `sink`; returns the function to call when the client went away. */
  attach(sink: EventSink): () => void {
    if (this.closed) {
      sink.end();
      return () => undefined;
    }
    sink.write(`retry: ${this.opts.retryMs ?? 3000}\n: connected\n\n`);
    this.sinks.add(sink);
    if (this.sinks.size === 1) {
      this.heartbeat = this.timers.setInterval(
        () => this.broadcast(': heartbeat\n\n'),
        this.opts.heartbeatMs ?? 15_000,
      );
      this.opts.onActive?.(true);
    }
    return () => this.detach(sink);
  }

  publish(e: DashboardEvent): void {
    if (this.closed || this.sinks.size === 0) return;
    this.queue.set(`${e.type}/${e.threadId ?? ''}`, e);
    if (this.flushTimer === undefined)
      this.flushTimer = this.timers.setTimeout(() => this.flush(), this.opts.flushMs ?? 100);
  }

  /** Ends every stream (app.close(): open streams must not hold the server up) and takes no more. */
  close(): void {
    this.closed = true;
    if (this.flushTimer !== undefined) this.timers.clearTimeout(this.flushTimer);
    for (const sink of [...this.sinks]) {
      this.detach(sink);
      sink.end();
    }
  }

  private flush(): void {
    this.flushTimer = undefined;
    const events = [...this.queue.values()];
    this.queue = new Map();
    const perThread = events.filter((e) => e.threadId);
    const out =
      perThread.length > MAX_THREAD_EVENTS
        ? [...events.filter((e) => !e.threadId), { type: 'threads' as const }]
        : events;
    this.broadcast(out.map(formatEvent).join(''));
  }

  private broadcast(chunk: string): void {
    for (const sink of this.sinks) {
      try {
        sink.write(chunk);
      } catch {
        this.detach(sink);
      }
    }
  }

  private detach(sink: EventSink): void {
    if (!this.sinks.delete(sink)) return;
    if (this.sinks.size === 0) {
      this.timers.clearInterval(this.heartbeat);
      this.heartbeat = undefined;
      this.opts.onActive?.(false);
    }
  }
}
