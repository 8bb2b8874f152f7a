import type { Clock } from '../clock.js';
import type { GuardContext } from '../guard/guard.js';
import type { ReleaseMode } from '../guard/lock.js';
import type { MetricProvider } from '../metrics/types.js';
import type { RetryPolicy } from '../retry/policy.js';
import type { DeployControlStore, DeployStore } from '../store/deploy-types.js';
import type { TrafficRouter } from '../traffic/types.js';
import type { InstanceDriver } from './drivers/types.js';
import type { DeployEvent, EnvironmentSpec, FleetState, InstanceSpec, Plan, Step } from './types.js';

/** What another process can ask of a running deploy (`threader approve|abort|pause|resume ID`). */
export type ControlAction = 'approve' | 'abort' | 'pause' | 'resume';

export interface ControlRequest {
  action: ControlAction;
  by: string;
  reason?: string;
  /** The approval gate (step index) an approve / a reject answers; absent: whichever gate waits. */
  step?: number;
  /** The store's id of the request, to record a refusal against it. */
  seq?: number;
}

/**
 * Control requests travel through the store, because the executor and the CLI that asks are
 * different processes (possibly on different CI runners sharing one state DB).
 */
export interface DeployControls {
  requestControl(id: string, request: ControlRequest, at: number): Promise<unknown>;
  /** Returns the pending requests in arrival order and marks them taken (each is seen once). */
  takeControls(id: string): Promise<ControlRequest[]>;
  /** Records why the executor ignored a request (DeployControlStore.refuseControl). */
  refuseControl?(id: string, seq: number, why: string): Promise<void>;
}

/** The store seam plus the control channel and the executor lease's compare-and-set. */
export type ExecutorStore = DeployStore & DeployControls & Pick<DeployControlStore, 'claimOwner'>;

/** Status code of one HTTP probe; rejects when there was no answer (refused, timeout). */
export type Probe = (url: string, timeoutMs: number, signal?: AbortSignal) => Promise<number>;

export type EventListener = (event: DeployEvent) => void;

export interface ExecutorDeps {
  store: ExecutorStore;
  driver: InstanceDriver;
  router: TrafficRouter;
  /** Needed only when the plan has analyse steps. */
  provider?: MetricProvider;
  /**
   * A provider that measures only the given instances, for providers whose targets are their scope
   * (the direct scrape). Without it, `provider` runs checks narrowed by an instance-label matcher.
   */
  providerFor?: (instances: InstanceSpec[]) => MetricProvider;
  env: EnvironmentSpec;
  clock: Clock;
  /** The guard window the executor locks after an automatic rollback. */
  guard: GuardContext;
  /** How that lock is released; default DEFAULT_GUARD_RELEASE (compose.ts reads the guard config). */
  guardRelease?: GuardRelease;
  /** Undo plan for a deploy that stopped at `failedAt` (helper A's planRevert, bound to the env). */
  planRevert: (plan: Plan, failedAt: number, fleetBefore: FleetState) => Step[];
  /** The fleet as it was before this deploy (the last succeeded record's outcome). */
  fleetBefore: FleetState;
  /** The config file path, for the rollback command printed after a failure. */
  configPath: string;
  /** Who drives this deploy (the lease in DeployRecord.owner). */
  owner: { pid: number; host: string };
  probe?: Probe;
  /** For driver commands (start/stop); tests pass policies.instant. */
  retryPolicy?: RetryPolicy;
  /** How often control requests are read from the store (ms). */
  controlPollMs?: number;
  /** Told of each control request the executor ignores, and why (the CLI logs it). */
  onControlRefused?: (request: ControlRequest, why: string) => void;
  /** How often the owner's heartbeat is written (ms); stale after STALE_HEARTBEATS of these. */
  heartbeatMs?: number;
}

/** The release criteria of the lock taken after an automatic rollback (a threader.yaml `guard.release`). */
export interface GuardRelease {
  mode: ReleaseMode;
  healthyEvaluations: number;
  maxLockDurationMs?: number;
}

/** Without a guard config: SLO release after 3 consecutive healthy evaluations (docs/deploy.md). */
export const DEFAULT_GUARD_RELEASE: GuardRelease = { mode: 'slo', healthyEvaluations: 3 };

export const DEFAULT_CONTROL_POLL_MS = 250;
export const DEFAULT_HEARTBEAT_MS = 2_000;
/** A deploy whose heartbeat is this many intervals old has lost its executor. */
export const STALE_HEARTBEATS = 5;
