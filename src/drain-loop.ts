/**
 * A single-flight drain: `kick()` runs `drain` unless it is already running, and a kick that
 * arrives mid-run asks for one more run after it — work committed while a drain was past the point
 * of reading it is never left waiting for the next kick.
 */
export class DrainLoop {
  private draining: Promise<void> | undefined;
  private again = false;

  /** `active()` false: kicks are ignored (the owner stopped). */
  constructor(
    private readonly drain: () => Promise<void>,
    private readonly active: () => boolean,
  ) {}

  /** New work may be there; cheap and idempotent. */
  kick(): void {
    if (!this.active()) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves once no drain runs and none was asked for. */
  async whenIdle(): Promise<void> {
    while (this.draining) await this.draining;
  }
}
