import type { MetricCheck, NoDataPolicy, Outcome } from '../metrics/types.js';
import type { Judgement } from '../metrics/evaluate.js';

/**
 * The deploy domain's shared shapes: the validated deploy config (spec.ts parses YAML into these),
 * the steps the pure planners produce, the persisted deploy record, and the events the executor
 * emits (notify/ narrates them in Slack; the dashboard shows them). Durations are milliseconds.
 */

export type StrategyName = 'rolling' | 'canary' | 'blue-green';
export type Colour = 'blue' | 'green';

export interface InstanceSpec {
  name: string;
  host: string;
  port: number;
  colour?: Colour;
  tags: string[];
}

/** How one instance runs one version. Strings are templates: {instance} {host} {port} {version} {colour}. */
export interface RunSpec {
  /** argv for the process and ssh drivers. */
  command: string[];
  env: Record<string, string>;
  workingDir?: string;
  /** systemd template unit ("alert-threader@{instance}") for the systemd and ssh drivers. */
  unit?: string;
}

export type DriverSpec =
  | { type: 'process'; stateDir: string; stopTimeout: number }
  | {
      type: 'systemd';
      sudo: boolean;
      stopTimeout: number;
      /** Where the per-instance env files live (the unit's EnvironmentFile); default /etc/alert-threader. */
      envDir?: string;
    }
  | {
      type: 'ssh';
      user?: string;
      port?: number;
      identityFile?: string;
      knownHostsFile?: string;
      /** What runs on the remote host: the run command under nohup, or systemctl on `run.unit`. */
      remote: 'process' | 'systemd';
      stateDir: string;
      connectTimeout: number;
      stopTimeout: number;
      /** remote: 'systemd' — run systemctl and write the env file through `sudo -n`. */
      sudo?: boolean;
      /** remote: 'systemd' — the env file directory there; default /etc/alert-threader. */
      envDir?: string;
    };

export interface HealthCheckSpec {
  path: string;
  expectStatus: number;
  /** Consecutive successful probes to pass the gate. */
  successes: number;
  interval: number;
  timeout: number;
  /** The gate fails when not passed within this long. */
  deadline: number;
}

export interface NginxTrafficSpec {
  type: 'nginx';
  /** The managed upstream file (only this file is written). */
  configFile: string;
  upstream: string;
  testCommand: string[];
  reloadCommand: string[];
}

/** "25%" or an absolute count. */
export type IntOrPercent = number | `${number}%`;

export interface RollingParams {
  maxSurge: IntOrPercent;
  maxUnavailable: IntOrPercent;
  /** Wait for connections to leave an instance after it is out of nginx, before stopping it. */
  drainDelay: number;
}

export type CanaryStepSpec =
  | { setWeight: number }
  | { pause: { duration?: number } }
  | { analysis: { count?: number; interval?: number } };

export interface CanaryParams {
  /** Canary instances by name or tag (at least one must match; never all of them). */
  instances: string[];
  tags: string[];
  steps: CanaryStepSpec[];
  drainDelay: number;
}

export interface BlueGreenParams {
  prePromotionAnalysis: boolean;
  postPromotionAnalysis: boolean;
  /** The old colour keeps running this long after the switch, so switching back is instant. */
  scaleDownDelay: number;
  /** Wait for connections to leave the old colour after the switch, before it may stop (and in a revert). */
  drainDelay: number;
  /** Wait for an approval before switching (in addition to environment approval). */
  manualPromotion: boolean;
}

export interface StrategySpec {
  default: StrategyName;
  rolling: RollingParams;
  canary: CanaryParams;
  blueGreen: BlueGreenParams;
}

export interface AnalysisSpec {
  provider: { type: 'prometheus'; url: string; timeout: number } | { type: 'scrape'; timeout: number };
  checks: MetricCheck[];
  window: number;
  interval: number;
  count: number;
  failureLimit: number;
  consecutiveErrorLimit: number;
  inconclusiveLimit: number;
  noData: NoDataPolicy;
  /**
   * The target label that names an instance as `host:port` (Prometheus' own `instance` unless
   * relabelled). Canary and blue-green analyses match it to measure only the new version's instances.
   */
  instanceLabel?: string;
}

export interface ApprovalSpec {
  required: boolean;
  timeout: number;
  onTimeout: 'rollback' | 'abort';
  /**
   * Slack user IDs who may press Approve / Reject; absent or empty: anyone in the channel.
   * `threader approve ID` is not limited by it (whoever can reach the deploy records can approve).
   */
  approvers?: string[];
}

export interface DeployGuardSpec {
  lockFile?: string;
  /** Minimum lock after an automatic rollback. */
  lockDuration: number;
  /**
   * A threader.yaml whose `guard:` section (lock file, release mode, healthyEvaluations,
   * maxLockDuration) the lock after an automatic rollback follows; default $THREADER_CONFIG.
   */
  config?: string;
}

export interface EnvironmentSpec {
  name: string;
  instances: InstanceSpec[];
  driver: DriverSpec;
  run: RunSpec;
  healthCheck: HealthCheckSpec;
  traffic: NginxTrafficSpec;
  strategy: StrategySpec;
  analysis?: AnalysisSpec;
  approval: ApprovalSpec;
  guard: DeployGuardSpec;
  slack?: { channel: string };
}

export interface DeploySpec {
  service: string;
  /** Where deploy records live (SQLite path); defaults beside the config. */
  stateDb?: string;
  environments: Record<string, EnvironmentSpec>;
}

/** Where each instance is now (from the last finished deploy record). */
export interface FleetState {
  /** instance name → version it runs; absent = not running. */
  versions: Record<string, string>;
  /** Blue-green: the colour nginx sends traffic to. */
  activeColour?: Colour;
  /** nginx weight per instance name as last applied; absent = not in the upstream. */
  weights: Record<string, number>;
}

// ---- Plan steps: what the executor does, in order. Pure data, persisted by index. ----

export type Step =
  | { kind: 'start'; instances: string[]; version: string; batch?: number }
  | { kind: 'health-gate'; instances: string[]; batch?: number }
  | { kind: 'drain'; instances: string[]; delay: number; batch?: number }
  | { kind: 'stop'; instances: string[]; batch?: number }
  /** Full desired nginx weights (instance → weight; missing = out of the upstream). */
  | {
      kind: 'set-weight';
      weights: Record<string, number>;
      requestedPercent?: number;
      effectivePercent?: number;
    }
  | { kind: 'analyse'; count: number; interval: number; label: string }
  | { kind: 'pause'; duration?: number; reason: string }
  | { kind: 'approve'; reason: string }
  | { kind: 'switch'; to: Colour; weights: Record<string, number> };

export interface Plan {
  env: string;
  strategy: StrategyName;
  fromVersion: string | null;
  toVersion: string;
  steps: Step[];
  /** Sum of the waits the plan mandates (pauses, analyses, drains, minimum health-gate time), ms. */
  mandatedWaitMs: number;
  /** Upper bound if every gate takes its full deadline, ms. */
  worstCaseMs: number;
  /** Nothing would change (every instance already runs toVersion at full weight). */
  noop: boolean;
  /** Rolling: the resolved surge / unavailable and batch sizes, for `threader plan` to print. */
  rolling?: { surge: number; unavailable: number; batches: string[][] };
  /** Where the fleet stands once every step ran (fleet-state.ts reads it from the last succeeded deploy). */
  expectedFleet?: FleetState;
  /** What a reader of the plan should know: capacity dips, waits for a person, rules bent on fixed slots. */
  notes?: string[];
}

// ---- Deploy records ----

export type DeployStatus =
  | 'running'
  | 'paused'
  | 'waiting-approval'
  | 'succeeded'
  | 'failed'
  | 'rolling-back'
  | 'rolled-back'
  | 'aborted';

export interface DeployRecord {
  id: string;
  env: string;
  service: string;
  strategy: StrategyName;
  fromVersion: string | null;
  toVersion: string;
  by: string;
  reason?: string;
  /** This deploy undoes `rollbackOf` (a rollback is its own audited record). */
  rollbackOf?: string;
  /**
   * Made by `threader rollback` (narrated and shown as one, also when resumed). Older records
   * say so only through `rollbackOf`.
   */
  rollback?: boolean;
  /**
   * The fleet the plan started from (records' account or observed), so `--resume` reverts to it
   * rather than to what the records say (they may not describe the fleet after a failed deploy).
   * Absent on records written before it was kept.
   */
  fleetBefore?: FleetState;
  status: DeployStatus;
  plan: Plan;
  /** Index of the next step to run. */
  stepIndex: number;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /** Slack thread of this deploy (issue 6), `CHANNEL:TS`. */
  threadRef?: string;
  /** Why it failed: the failing gate, with values. */
  failure?: DeployFailure;
  /** Pid + host of the executor driving it (lease), so a second one can tell it is live. */
  owner?: { pid: number; host: string; heartbeatAt: number };
}

export interface DeployFailure {
  step: number;
  kind: Step['kind'];
  message: string;
  judgements?: Judgement[];
  outcome?: Outcome;
  /** Stopped by a person (`threader abort`, an approval timeout set to abort): revert, no guard lock. */
  aborted?: boolean;
  /** A health gate or analysis judged the new version bad: the revert locks the guard. */
  gate?: boolean;
}

/** What the executor emits; persisted as the deploy's event log and handed to listeners (Slack, terminal). */
export type DeployEvent =
  | { type: 'deploy-started'; deploy: DeployRecord }
  | { type: 'step-started'; deployId: string; index: number; step: Step }
  | { type: 'step-finished'; deployId: string; index: number; step: Step; detail?: string }
  | {
      type: 'weights-set';
      deployId: string;
      weights: Record<string, number>;
      requestedPercent?: number;
      effectivePercent?: number;
      versions: Record<string, string>;
    }
  | {
      type: 'analysis';
      deployId: string;
      index: number;
      outcome: Outcome;
      judgements: Judgement[];
      /** The instances measured (those on the new version); absent = the whole fleet. */
      instances?: string[];
    }
  | {
      type: 'approval-requested';
      deployId: string;
      reason: string;
      timeoutAt: number;
      /** The approve step's index: a button may name it, so a press cannot answer a later gate. */
      index?: number;
      /** Who may answer from Slack (ApprovalSpec.approvers as the gate asked); absent = anyone. */
      approvers?: string[];
    }
  | { type: 'approved'; deployId: string; by: string }
  | { type: 'paused' | 'resumed'; deployId: string; by: string }
  | { type: 'deploy-failed'; deployId: string; failure: DeployFailure; rollbackCommand: string }
  /** `guardFile`: the lock file, so people can look at the lock the rollback took. */
  | { type: 'rollback-finished'; deployId: string; guardLocked: boolean; guardFile?: string }
  | { type: 'deploy-finished'; deployId: string; status: DeployStatus };

export interface StoredDeployEvent {
  deployId: string;
  seq: number;
  at: number;
  event: DeployEvent;
}
