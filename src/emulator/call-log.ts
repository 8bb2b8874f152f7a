/** The record of every API call, and the rate questions tests ask of it. */
import type { CallRecord, CallStats } from './types.js';

/**
 * Largest number of timestamps inside any half-open window [t, t + windowMs).
 * Windows that start at an event are enough: sliding a window right until its left edge
 * meets an event never drops a count.
 */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    while (end < sorted.length && (sorted[end] as number) < (sorted[start] as number) + windowMs) end++;
    best = Math.max(best, end - start);
  }
  return best;
}

export class CallLog {
  private records: CallRecord[] = [];
  private seq = 0;

  add(record: Omit<CallRecord, 'seq'>): CallRecord {
    const full = { seq: ++this.seq, ...record };
    this.records.push(full);
    return full;
  }

  list(filter: { method?: string; channel?: string } = {}): CallRecord[] {
    return this.records.filter(
      (r) =>
        (filter.method === undefined || r.method === filter.method) &&
        (filter.channel === undefined || r.channel === filter.channel),
    );
  }

  /**
   * The most calls that took effect (Slack answered ok, delivered or not) for one method, and
   * channel when given, inside any window of `windowMs` — e.g. to assert the project never posts
   * more than Slack's 1/s per channel plus burst.
   */
  maxRateObserved(method: string, channel?: string, windowMs = 1000): number {
    const times = this.list({ method, channel })
      .filter((r) => r.ok)
      .map((r) => r.at_ms);
    return maxInWindow(times, windowMs);
  }

  stats(): CallStats {
    const stats: CallStats = { total: 0, ok: 0, ratelimited: 0, server_errors: 0, dropped: 0, by_method: {} };
    for (const r of this.records) {
      const m = (stats.by_method[r.method] ??= { total: 0, ok: 0, ratelimited: 0 });
      stats.total++;
      m.total++;
      if (r.ok) {
        stats.ok++;
        m.ok++;
      }
      if (r.http_status === 429) {
        stats.ratelimited++;
        m.ratelimited++;
      }
      if (r.http_status >= 500) stats.server_errors++;
      if (r.dropped) stats.dropped++;
    }
    return stats;
  }

  reset(): void {
    this.records = [];
    this.seq = 0;
  }
}
