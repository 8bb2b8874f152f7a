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
