import { InvalidUpstreamError } from './errors.js';
import type { UpstreamServer } from './types.js';

/**
 * The managed upstream file as a pure function of the desired servers, and its parse back.
 * The file holds one `upstream` block and nothing else, so the operator's nginx.conf keeps every
 * other decision (listen, TLS, proxy_* settings) and only `include`s it.
 */

export interface RenderOptions {
  /**
   * Passive failure marking. nginx's default (max_fails=1 fail_timeout=10s) ejects an instance for
   * 10 s after a single failed connect, which during a canary silently moves its share to the stable
   * instances and skews the analysis. 3 failures within 5 s still ejects a dead instance quickly
   * (proxy_next_upstream has already retried those requests elsewhere), and 5 s brings it back soon
   * after it recovers. Only errors listed in proxy_next_upstream count, so a canary's own 5xx
   * answers are never hidden from the analysis by ejection.
   */
  maxFails: number;
  failTimeoutSeconds: number;
  /**
   * Idle keep-alive connections per worker to the upstream (needs proxy_http_version 1.1 and an
   * empty Connection header in the location). 0 leaves the directive out.
   */
  keepalive: number;
}

export const defaultRenderOptions: RenderOptions = { maxFails: 3, failTimeoutSeconds: 5, keepalive: 16 };

export const MANAGED_MARKER = '# Managed by alert-threader (threader deploy).';

const NAME = /^[A-Za-z0-9_.-]+$/;
/** A host name or IP nginx accepts in `server`; the deploy config's schema holds instances to it. */
export const HOST_PATTERN = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]+:[0-9A-Fa-f:.]*)$/;

function problem(message: string): never {
  throw new InvalidUpstreamError(message);
}

/** Weight 0 means "out of the upstream": nginx has no weight 0, and `down` would still be listed. */
export function liveServers(servers: UpstreamServer[]): UpstreamServer[] {
  const seen = new Set<string>();
  for (const s of servers) {
    if (!NAME.test(s.name))
      problem(`instance name ${JSON.stringify(s.name)} cannot be written to nginx config`);
    if (seen.has(s.name)) problem(`instance ${s.name} is listed twice`);
    seen.add(s.name);
    if (!HOST_PATTERN.test(s.host))
      problem(`instance ${s.name}: host ${JSON.stringify(s.host)} is not a host name or IP`);
    if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)
      problem(`instance ${s.name}: bad port ${s.port}`);
    if (!Number.isInteger(s.weight) || s.weight < 0) {
      problem(`instance ${s.name}: nginx weights are whole numbers >= 1 (0 = out), got ${s.weight}`);
    }
  }
  return servers.filter((s) => s.weight > 0);
}

function address(host: string, port: number): string {
  const bare = host.startsWith('[') ? host : host.includes(':') ? `[${host}]` : host;
  return `${bare}:${port}`;
}

/**
 * Renders the upstream block. Servers are sorted by instance name so the same weights always give
 * the same bytes: the router compares files to skip a reload that would change nothing.
 */
export function renderUpstream(
  upstream: string,
  servers: UpstreamServer[],
  opts: RenderOptions = defaultRenderOptions,
): string {
  if (!NAME.test(upstream)) problem(`upstream name ${JSON.stringify(upstream)} is not a valid nginx name`);
  const live = liveServers(servers).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // nginx -t rejects `upstream x {}` ("no servers are inside upstream"): say so before touching the file.
  if (live.length === 0)
    problem(`upstream ${upstream} would have no servers (every weight is 0 or no instance given)`);
  const total = live.reduce((n, s) => n + s.weight, 0);
  const lines = [
    MANAGED_MARKER,
    '# Do not edit: the next deploy rewrites this file. Each server line names its instance.',
    `upstream ${upstream} {`,
    ...live.map((s) => {
      const share = ((100 * s.weight) / total).toFixed(1);
      return (
        `    server ${address(s.host, s.port)} weight=${s.weight} max_fails=${opts.maxFails} ` +
        `fail_timeout=${opts.failTimeoutSeconds}s; # instance=${s.name} share=${share}%`
      );
    }),
    ...(opts.keepalive > 0 ? [`    keepalive ${opts.keepalive};`] : []),
    '}',
    '',
  ];
  return lines.join('\n');
}

const SERVER_LINE = /^\s*server\s+(\S+?)(?:\s+([^;#]*))?;\s*(?:#\s*(.*))?$/;

function splitAddress(addr: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(addr) ?? /^([^:]+):(\d+)$/.exec(addr);
  // nginx's own default port when none is given.
  return m ? { host: m[1] as string, port: Number(m[2]) } : { host: addr, port: 80 };
}

/**
 * Reads the servers back from a file (ours, or one written by hand before threader managed it).
 * Lines without our `instance=` comment get "host:port" as their name; `down` servers are out.
 */
export function parseUpstream(text: string): UpstreamServer[] {
  const servers: UpstreamServer[] = [];
  for (const line of text.split('\n')) {
    const m = SERVER_LINE.exec(line);
    if (!m) continue;
    const [, addr = '', params = '', comment = ''] = m;
    const words = params.split(/\s+/).filter(Boolean);
    if (words.includes('down') || words.includes('backup')) continue;
    const weight = Number(/^weight=(\d+)$/.exec(words.find((w) => w.startsWith('weight=')) ?? '')?.[1] ?? 1);
    const { host, port } = splitAddress(addr);
    const name = /(?:^|\s)instance=(\S+)/.exec(comment)?.[1] ?? `${host}:${port}`;
    servers.push({ name, host, port, weight });
  }
  return servers;
}
