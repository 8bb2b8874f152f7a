/**
 * Token bucket for one (channel, method) pair, plus a pause set by Slack's Retry-After.
 * Slack documents chat.postMessage as about one message per second per channel with short
 * bursts allowed, and chat.update as Tier 3 (~50 per minute); a 429 pauses only the pair that
 * got it, never the whole client.
 */
export class RateGate {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSec);
      this.last = now;
    }
  }

  /** Takes one token when allowed now. */
  tryTake(now: number): boolean {
    if (now < this.pausedUntil) return false;
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Earliest time a token will be available. */
  nextAt(now: number): number {
    this.refill(now);
    const tokenAt = this.tokens >= 1 ? now : now + Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000);
    return Math.max(tokenAt, this.pausedUntil);
  }

  /** Slack said 429: nothing on this pair until `until`, and the burst is spent. */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
    this.tokens = 0;
  }

  isPaused(now: number): boolean {
    return now < this.pausedUntil;
  }
}
