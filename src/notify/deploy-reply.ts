import type { Colour, DeployStatus } from '../deploy/types.js';
import type { Outcome } from '../metrics/types.js';
import type { TrafficShare } from './deploy-card.js';

/**
 * What one reply in a deploy thread says, as data: the payload of a `reply` outbox row, drawn by
 * deploy-renderer.ts when Slack is called. Self-contained (a reply is rendered from its payload
 * alone, possibly by another process: `threader slack flush`); every string in it is plain text
 * and is escaped when rendered.
 */

/** Where in the plan: "3/9". */
export interface StepPosition {
  number: number;
  total: number;
}

/** One check of an analysis: the value that decided against the threshold, and what was asked. */
export interface CheckResult {
  check: string;
  outcome: Outcome;
  /** Absent without data. */
  value?: number;
  comparator: string;
  threshold: number;
  /** The evaluator's line for humans ("19.8% <= 1%", "no data (policy: fail)"). */
  message: string;
  query?: string;
}

/** A lock the rollback took and how it is released (guard/lock.ts). */
export interface GuardLockView {
  until: string;
  mode: 'slo' | 'time';
  healthyEvaluations: number;
  expiresAt?: string;
  reason: string;
}

export type DeployReply =
  /** A rollback's first reply: it may tell its story under the thread of the deploy it undoes. */
  | {
      type: 'rollback-started';
      deployId: string;
      by: string;
      from: string | null;
      to: string;
      reason?: string;
      rollbackOf?: string;
      /** `threader status ID --config …` of the rollback itself (the parent may be another deploy's card). */
      statusCommand: string;
    }
  | { type: 'stage-started'; at: StepPosition; label: string }
  | { type: 'stage-finished'; at: StepPosition; label: string; detail?: string }
  | { type: 'health-gate-passed'; at: StepPosition; instances: string[] }
  | {
      type: 'weight-set';
      at?: StepPosition;
      requestedPercent?: number;
      effectivePercent?: number;
      traffic: TrafficShare[];
      /** Set during a rollback: traffic going back, not forward. */
      reverting?: boolean;
    }
  | { type: 'switched'; at?: StepPosition; to: Colour; traffic: TrafficShare[] }
  | {
      type: 'analysis';
      at?: StepPosition;
      label?: string;
      outcome: Outcome;
      checks: CheckResult[];
      instances?: string[];
    }
  | {
      type: 'approval-requested';
      deployId: string;
      reason: string;
      timeoutAt: number;
      /** The approve step's index: the buttons name it, so a press cannot answer a later gate. */
      step?: number;
      /** Slack user IDs who may answer from Slack; absent = anyone in the channel. */
      approvers?: string[];
      /** The fallback: `threader approve ID --config …`. */
      approveCommand: string;
      abortCommand: string;
    }
  | { type: 'approved'; by: string }
  | { type: 'stopped'; by?: string; reason?: string; message: string }
  | { type: 'paused'; by: string; resumeCommand: string; abortCommand: string }
  | { type: 'resumed'; by: string }
  | {
      type: 'failure';
      deployId: string;
      service: string;
      env: string;
      to: string;
      from: string | null;
      at: StepPosition;
      kind: string;
      message: string;
      checks: CheckResult[];
      /** What the rollback undoes, in words. */
      rollingBack: string;
      rollbackCommand: string;
      /** The deploy that failed is itself a rollback. */
      rollback?: boolean;
    }
  | {
      type: 'rollback-finished';
      guardLocked: boolean;
      lock?: GuardLockView;
      guardStatusCommand?: string;
      /** The fleet serves this now (from the last traffic change). */
      traffic?: TrafficShare[];
    }
  | {
      type: 'finished';
      status: DeployStatus;
      to: string;
      from: string | null;
      durationMs: number;
      /** It was a rollback: "rollback succeeded", not "deploy succeeded", under the deploy it undid. */
      rollback?: boolean;
    };
