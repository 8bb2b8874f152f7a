/**
 * The TrafficRouter seam: make the load balancer send traffic by these weights. `weights` maps an
 * instance name to its integer nginx weight; an instance absent from the map is out of the
 * upstream (drained). Applying the weights already in place does nothing.
 */
export interface UpstreamServer {
  name: string;
  host: string;
  port: number;
  weight: number;
}

export interface ApplyResult {
  changed: boolean;
  /** The file as rendered (for logs and snapshots). */
  config: string;
}

export interface TrafficRouter {
  readonly kind: string;
  apply(servers: UpstreamServer[]): Promise<ApplyResult>;
  /** The servers in the managed file now (empty when the file does not exist yet). */
  current(): Promise<UpstreamServer[]>;
}
