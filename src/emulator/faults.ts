/**
 * Fault injection: random edge errors, latency and lost responses, plus scripted one-shot faults.
 * Every random draw comes from the injected `random`, in a fixed order per call, so a seeded
 * run replays identically.
 */
import type { FaultSettings, ScriptedFault } from './types.js';

export type FaultDecision =
  | { kind: 'none' }
  /** An HTTP error before the call has any effect (429 carries Retry-After). */
  | { kind: 'http'; status: number; retryAfter?: number }
  /** Slack answers HTTP 200 `{ok:false,error}` without effect. */
  | { kind: 'error'; error: string }
  /** The call takes effect; its response is never delivered. */
  | { kind: 'drop' };

export const NO_FAULTS: FaultSettings = {
  errorRate: 0,
  errorStatus: 503,
  latencyMs: 0,
  dropResponseRate: 0,
  methods: [],
};

interface Pending {
  method: string;
  fault: ScriptedFault;
  remaining: number;
}

export class Faults {
  private current: FaultSettings;
  private scripted: Pending[] = [];

  constructor(
    private readonly random: () => number,
    initial: Partial<FaultSettings> = {},
  ) {
    this.current = { ...NO_FAULTS, ...initial };
  }

  get(): FaultSettings {
    return { ...this.current, methods: [...this.current.methods] };
  }

  set(partial: Partial<FaultSettings>): void {
    this.current = { ...this.current, ...partial };
  }

  /** Queues a fault for the next `count` calls of `method` ('*' for any), after earlier ones. */
  failNext(method: string, fault: ScriptedFault): void {
    this.scripted.push({ method, fault, remaining: Math.max(1, fault.count ?? 1) });
  }

  pending(): Array<{ method: string } & ScriptedFault> {
    return this.scripted.map((p) => ({ method: p.method, ...p.fault, count: p.remaining }));
  }

  clear(): void {
    this.current = { ...NO_FAULTS };
    this.scripted = [];
  }

  private applies(method: string): boolean {
    return this.current.methods.length === 0 || this.current.methods.includes(method);
  }

  latencyFor(method: string): number {
    if (!this.applies(method)) return 0;
    const latency = this.current.latencyMs;
    if (typeof latency === 'number') return latency;
    const [min, max] = latency;
    return min + this.random() * (max - min);
  }

  decide(method: string): FaultDecision {
    const index = this.scripted.findIndex((p) => p.method === method || p.method === '*');
    if (index >= 0) {
      const pending = this.scripted[index] as Pending;
      if (--pending.remaining <= 0) this.scripted.splice(index, 1);
      return fromScript(pending.fault);
    }
    if (!this.applies(method)) return { kind: 'none' };
    if (this.current.errorRate > 0 && this.random() < this.current.errorRate) {
      return { kind: 'http', status: this.current.errorStatus };
    }
    if (this.current.dropResponseRate > 0 && this.random() < this.current.dropResponseRate) {
      return { kind: 'drop' };
    }
    return { kind: 'none' };
  }
}

function fromScript(fault: ScriptedFault): FaultDecision {
  if (fault.drop) return { kind: 'drop' };
  if (fault.status === 429) return { kind: 'http', status: 429, retryAfter: fault.retryAfter ?? 1 };
  if (fault.status !== undefined && fault.status !== 200) return { kind: 'http', status: fault.status };
  if (fault.error !== undefined) return { kind: 'error', error: fault.error };
  return { kind: 'none' };
}
