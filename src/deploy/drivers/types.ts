import type { DriverSpec, InstanceSpec, RunSpec } from '../types.js';

/**
 * The InstanceDriver seam: start and stop one instance of the service at a version. Health is not
 * the driver's business (the executor probes over HTTP); `state` reports what the driver believes.
 */
export interface InstanceDriver {
  readonly kind: DriverSpec['type'];
  /** Starts `version` on the instance (stopping whatever ran there first). Resolves once launched. */
  start(instance: InstanceSpec, version: string, run: RunSpec): Promise<void>;
  /** Stops the instance gracefully (SIGTERM, then SIGKILL after stopTimeout). Stopping a stopped instance is fine. */
  stop(instance: InstanceSpec, run: RunSpec): Promise<void>;
  /** What runs there now, as far as the driver knows. */
  state(instance: InstanceSpec, run: RunSpec): Promise<{ running: boolean; version?: string; pid?: number }>;
}
