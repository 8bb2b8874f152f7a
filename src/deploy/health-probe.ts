import { retry, RetryExhaustedError } from '../retry/retry.js';
import type { RetryPolicy } from '../retry/policy.js';
import type { HealthCheckSpec, InstanceSpec } from './types.js';
import type { Probe } from './executor-types.js';

/** One GET with a timeout; the status code, or a rejection when nothing answered. */
export const httpProbe: Probe = async (url, timeoutMs, signal) => {
  const timeout = AbortSignal.timeout(timeoutMs);
  const res = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  await res.arrayBuffer();
  return res.status;
};

export function probeUrl(instance: InstanceSpec, path: string): string {
  const host = instance.host.includes(':') ? `[${instance.host}]` : instance.host;
  return `http://${host}:${instance.port}${path.startsWith('/') ? path : `/${path}`}`;
}

class NotYet extends Error {}

/**
 * Until an instance answers at all (its process is still starting, the port refuses), probes come
 * this often rather than a full interval apart: a refused connection costs nothing, and waiting a
 * whole interval for a process that came up 50 ms after the first probe is the gate's largest
 * avoidable delay. Once anything answered, probes are `interval` apart.
 */
export const STARTUP_PROBE_MS = 50;

export interface GateResult {
  passed: boolean;
  probes: number;
  /** Why the last probe did not count ("answered 503", "ECONNREFUSED"). */
  last?: string;
  message: string;
}

/**
 * The health gate of one instance: `successes` consecutive probes answering `expectStatus`,
 * `interval` apart (faster while nothing answers yet: STARTUP_PROBE_MS), within `deadline`. Open-source nginx has no active health checks (DESIGN.md),
 * so this is what decides an instance may take traffic. Polling runs through THE retry loop with a
 * fixed-interval policy: one attempt is one probe, and the deadline is the retry deadline.
 */
export async function healthGate(
  instance: InstanceSpec,
  check: HealthCheckSpec,
  deps: {
    probe: Probe;
    now: () => number;
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    signal?: AbortSignal;
  },
): Promise<GateResult> {
  const url = probeUrl(instance, check.path);
  const started = deps.now();
  let streak = 0;
  let probes = 0;
  let answered = false;
  let last: string | undefined;
  const policy: RetryPolicy = {
    attempts: Number.MAX_SAFE_INTEGER,
    baseMs: check.interval,
    maxDelayMs: check.interval,
    jitter: 'none',
  };
  try {
    await retry(
      async () => {
        probes++;
        try {
          const status = await deps.probe(url, check.timeout, deps.signal);
          answered = true;
          if (status === check.expectStatus) streak++;
          else {
            streak = 0;
            last = `answered ${status}, expected ${check.expectStatus}`;
          }
        } catch (err) {
          streak = 0;
          const e = err as Error & { cause?: { code?: string } };
          last = e.cause?.code ?? e.name ?? 'no answer';
        }
        if (streak < check.successes) throw new NotYet();
      },
      {
        policy,
        delayOverrideMs: () => (answered ? undefined : Math.min(check.interval, STARTUP_PROBE_MS)),
        deadline: started + check.deadline,
        now: deps.now,
        sleep: deps.sleep,
        signal: deps.signal,
      },
    );
  } catch (err) {
    if (!(err instanceof RetryExhaustedError)) throw err;
    if (err.reason === 'aborted' && deps.signal?.aborted) throw deps.signal.reason;
    const tail = last ? `; last probe: ${last}` : '';
    return {
      passed: false,
      probes,
      last,
      message: `${instance.name} failed its health gate: ${streak}/${check.successes} consecutive ${check.expectStatus} from ${url} within ${check.deadline} ms${tail}`,
    };
  }
  return {
    passed: true,
    probes,
    message: `${instance.name} healthy: ${check.successes} consecutive ${check.expectStatus} from ${url}`,
  };
}
