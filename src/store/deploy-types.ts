import type { DeployEvent, DeployRecord, DeployStatus, StoredDeployEvent } from '../deploy/types.js';

/**
 * The DeployStore seam: deploy records, their event log, and the one-deploy-per-environment lock.
 * SQLite by default (a file beside the deploy config); every adapter passes deploy-contract.test-suite.ts.
 */
export interface DeployStore {
  init(): Promise<void>;
  close(): Promise<void>;
  /**
   * Creates the record AND takes the environment's lock in one transaction. Throws ConflictError
   * naming the holder (deploy id, by, since) when another active deploy holds the environment.
   */
  create(record: DeployRecord): Promise<void>;
  get(id: string): Promise<DeployRecord | null>;
  /** Saves progress (status, stepIndex, failure, owner…); releases the env lock when the status is final. */
  update(id: string, patch: Partial<Omit<DeployRecord, 'id' | 'env' | 'createdAt'>>): Promise<DeployRecord>;
  /** The active (not final) deploy of an environment, if any. */
  active(env: string): Promise<DeployRecord | null>;
  list(filter: { env?: string; status?: DeployStatus; limit?: number }): Promise<DeployRecord[]>;
  /** The last deploy of the environment that succeeded (rollback target, fleet state). */
  lastSucceeded(env: string): Promise<DeployRecord | null>;
  appendEvent(deployId: string, event: DeployEvent, at: number): Promise<StoredDeployEvent>;
  events(deployId: string, afterSeq?: number): Promise<StoredDeployEvent[]>;
}

export const FINAL_STATUSES: readonly DeployStatus[] = ['succeeded', 'failed', 'rolled-back', 'aborted'];

// ---- Commands from other processes (`threader approve|abort|pause|resume ID`) ----

export type DeployControlAction = 'approve' | 'abort' | 'pause' | 'resume';

export interface DeployControlRequest {
  action: DeployControlAction;
  by: string;
  reason?: string;
  /**
   * The approval gate (its step index) this request answers. Set by a Slack press, which was judged
   * against that gate: the executor ignores an approve whose gate it is not waiting at. Absent (the
   * `threader approve` CLI): whatever gate waits.
   */
  step?: number;
}

export interface StoredDeployControl extends DeployControlRequest {
  deployId: string;
  /** Store-wide arrival order. */
  seq: number;
  at: number;
}

/** A control request as the log keeps it: taken by the executor or not, and refused or not. */
export interface DeployControlEntry extends StoredDeployControl {
  takenAt?: number;
  /** Why the executor ignored it (e.g. an approval of a gate it was no longer waiting at). */
  refused?: string;
}

/**
 * The executor and the CLI that asks it to approve / abort / pause / resume are different
 * processes (possibly different CI runners sharing one state DB), so requests travel through the
 * store. Each request is handed to the executor exactly once, in arrival order.
 */
export interface DeployControlStore {
  /** NotFoundError for an unknown deploy; ConflictError when the deploy has already finished. */
  requestControl(id: string, request: DeployControlRequest, at: number): Promise<StoredDeployControl>;
  /** The requests not taken yet, oldest first, marked taken in the same transaction. */
  takeControls(id: string, at?: number): Promise<StoredDeployControl[]>;
  /** Records why the executor ignored request `seq` of deploy `id` (it stays taken). */
  refuseControl(id: string, seq: number, why: string): Promise<void>;
  /** Every request of a deploy, oldest first, with when it was taken and whether it was refused. */
  controlLog(id: string): Promise<DeployControlEntry[]>;
  /**
   * Compare-and-set of the executor lease (DeployRecord.owner): sets `owner` only when the current
   * owner is exactly `expected` (null = none). Returns the updated record, or null when another
   * process changed the owner first — two executors resuming one deploy cannot both win.
   */
  claimOwner(
    id: string,
    owner: NonNullable<DeployRecord['owner']>,
    expected: DeployRecord['owner'] | null,
  ): Promise<DeployRecord | null>;
}

/** What `openDeployStore` returns: the seam plus the control channel. */
export type DeployStoreWithControls = DeployStore & DeployControlStore;
