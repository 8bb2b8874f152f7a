import { retry } from '../retry/retry.js';
import type { RetryPolicy } from '../retry/policy.js';
import type { Probe } from './executor-types.js';
import { probeUrl } from './health-probe.js';
import type { HealthCheckSpec, InstanceSpec } from './types.js';

export interface HealthWatch {
  /** Probes sent so far, answered or not. */
  probes(): number;
  /** Ends every probe loop (an in-flight probe is cancelled) and resolves once all have ended. */
  stop(): Promise<void>;
}

class KeepProbing extends Error {}

/**
 * Open-source nginx has no active health checks (DESIGN.md), so while an analysis measures
 * instances nothing may be calling their health path, and the `health_check_success_ratio` SLO —
 * read from the instances' own `threader_health_checks_total` — would have no data and fail every
 * analysis. So the deployer is the health checker while an analysis runs: each instance is probed
 * with the health gate's probe and URL (health-probe.ts), `interval` apart, until `stop()` or
 * `signal`. What the probes answer does not matter here: the instance counts its own answers, and
 * the SLO judges them. The loop is THE retry loop with the health gate's fixed-interval policy; an
 * attempt never succeeds.
 */
export function watchHealth(
  instances: InstanceSpec[],
  check: HealthCheckSpec,
  deps: {
    probe: Probe;
    now: () => number;
    /** Must reject once `signal` aborts (the watch's own stop, or the deploy's abort). */
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    signal?: AbortSignal;
  },
): HealthWatch {
  const stopper = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, stopper.signal]) : stopper.signal;
  const policy: RetryPolicy = {
    attempts: Number.MAX_SAFE_INTEGER,
    baseMs: check.interval,
    maxDelayMs: check.interval,
    jitter: 'none',
  };
  let probes = 0;
  const loops = instances.map((instance) => {
    const url = probeUrl(instance, check.path);
    return retry(
      async () => {
        probes++;
        await deps.probe(url, check.timeout, signal).catch(() => undefined);
        throw new KeepProbing();
      },
      { policy, now: deps.now, sleep: deps.sleep, signal },
    ).catch(() => undefined);
  });
  return {
    probes: () => probes,
    stop: async () => {
      stopper.abort();
      await Promise.all(loops);
    },
  };
}
