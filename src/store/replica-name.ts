import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * A replica's name in lease rows: readable (host, pid) for whoever looks at the table, and new on
 * every start, so a restarted process never mistakes its dead predecessor's leases for its own.
 */
export function replicaName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
