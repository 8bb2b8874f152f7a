import type { DriverSpec, InstanceSpec, RunSpec } from '../types.js';

/**
 * The InstanceDriver seam: start and stop one instance of the service at a version. Health is not
 * the driver's business (the executor probes over HTTP); `state` reports what the driver believes.
 */
export interface InstanceDriver {
  readonly kind: DriverSpec['type'];
  /** Starts `version` on the instance (stopping whatever ran there first). Resolves once launched. */
  start(instance: InstanceSpec, version: string, run: RunSpec, opts?: DriverCallOptions): Promise<void>;
  /** Stops the instance gracefully (SIGTERM, then SIGKILL after stopTimeout). Stopping a stopped instance is fine. */
  stop(instance: InstanceSpec, run: RunSpec, opts?: DriverCallOptions): Promise<void>;
  /** What runs there now, as far as the driver knows. */
  state(instance: InstanceSpec, run: RunSpec, opts?: DriverCallOptions): Promise<InstanceState>;
}

export interface InstanceState {
  running: boolean;
  version?: string;
  pid?: number;
}

export interface DriverCallOptions {
  /** Aborts the operation: its local command (sh, ssh, systemctl) is killed; the error says so. */
  signal?: AbortSignal;
  /** What the driver did, one line each ("stopped pid 123", "sent SIGKILL"), for the deploy log. */
  onOutput?: (line: string) => void;
}
