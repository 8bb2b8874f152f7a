import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NginxTrafficSpec } from '../../src/deploy/types.js';
import { renderUpstream } from '../../src/traffic/nginx-render.js';
import type { UpstreamServer } from '../../src/traffic/types.js';
import { freePort, startProcess, waitFor, waitForHttp, type StartedProcess } from './process.js';
import { requireTool, runs } from './require-tool.js';

/**
 * A real nginx (Debian's /usr/sbin/nginx) for integration tests: its own prefix, config, pid file
 * and logs in a temp dir, listening on a loopback port, proxying to the managed upstream file that
 * the router under test writes. Built for zero-failed-request rollouts:
 *  - proxy_next_upstream error timeout http_502: a request that meets a stopped instance is retried
 *    on the next server instead of failing (the 5xx of a bad canary still reach the client);
 *  - keepalive_timeout 0 towards clients: every request opens a new connection, so a reload never
 *    closes a kept-alive client connection under a request in flight (a client-side race, not ours);
 *  - worker_processes 1: weighted round robin is deterministic, so a split is exact over N requests.
 */

export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/** Why nginx cannot start here, or undefined; throws under CI (see requireTool). */
export function nginxMissing(): string | undefined {
  return requireTool('nginx', { install: 'nginx-light', check: runs(NGINX_BIN, '-v') });
}

export interface NginxOptions {
  upstream?: string;
  /** Initial servers; without them the upstream holds a placeholder (`down`) and every request gets 502. */
  servers?: UpstreamServer[];
  /** Extra directives inside `location /` (e.g. proxy_read_timeout). */
  locationExtra?: string;
}

export interface TestNginx {
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  prefix: string;
  /** The main config (nginx.conf), for `nginx -t -c`. */
  confFile: string;
  /** The managed upstream file nginx.conf includes: the router's `configFile`. */
  upstreamFile: string;
  upstream: string;
  testCommand: string[];
  reloadCommand: string[];
  /** The traffic section of a deploy spec pointing at this nginx. */
  trafficSpec: NginxTrafficSpec;
  /** Reloads nginx has started so far (from its error log). */
  reloads(): number;
  /**
   * Waits until `count` reloads have completed: the master reconfigured and every old worker has
   * stopped accepting. After it, each new connection is served by the new config.
   */
  waitForReloads(count: number, timeoutMs?: number): Promise<void>;
  errorLog(): string;
  /** Access log lines: `STATUS UPSTREAM_ADDR UPSTREAM_STATUS REQUEST_TIME URI`. */
  accessLog(): string[];
  proc: StartedProcess;
  stop(): Promise<void>;
}

function mainConfig(p: {
  prefix: string;
  port: number;
  upstreamFile: string;
  upstream: string;
  extra: string;
}) {
  const tmp = (n: string) => `${n}_temp_path ${join(p.prefix, 'tmp', n)};`;
  return `# Test nginx (test/helpers/nginx.ts)
worker_processes 1;
pid ${join(p.prefix, 'nginx.pid')};
error_log ${join(p.prefix, 'logs', 'error.log')} notice;
${process.getuid?.() === 0 ? 'user root root;' : ''}
events { worker_connections 1024; }
http {
    log_format threader '$status $upstream_addr $upstream_status $request_time $uri';
    access_log ${join(p.prefix, 'logs', 'access.log')} threader;
    ${tmp('client_body')} ${tmp('proxy')} ${tmp('fastcgi')} ${tmp('uwsgi')} ${tmp('scgi')}
    include ${p.upstreamFile};
    server {
        listen 127.0.0.1:${p.port};
        keepalive_timeout 0;
        location = /__nginx/ready { return 200 "ready\\n"; }
        location / {
            proxy_pass http://${p.upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout http_502;
            proxy_next_upstream_tries 0;
            proxy_connect_timeout 1s;
            proxy_read_timeout 10s;
            ${p.extra}
        }
    }
}
`;
}

export async function startNginx(opts: NginxOptions = {}): Promise<TestNginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'threader-nginx-'));
  for (const d of ['logs', 'tmp', 'conf.d']) mkdirSync(join(prefix, d));
  const upstream = opts.upstream ?? 'app';
  const upstreamFile = join(prefix, 'conf.d', 'upstream.conf');
  const confFile = join(prefix, 'nginx.conf');
  const port = await freePort();
  writeFileSync(
    confFile,
    mainConfig({ prefix, port, upstreamFile, upstream, extra: opts.locationExtra ?? '' }),
  );
  writeFileSync(
    upstreamFile,
    opts.servers?.length
      ? renderUpstream(upstream, opts.servers)
      : `upstream ${upstream} {\n    server 127.0.0.1:9 down;\n}\n`,
  );
  const where = ['-p', prefix, '-c', confFile];
  const testCommand = [NGINX_BIN, '-t', '-q', ...where];
  const reloadCommand = [NGINX_BIN, ...where, '-s', 'reload'];
  const proc = startProcess(NGINX_BIN, [...where, '-g', 'daemon off;'], { name: `nginx :${port}` });
  const url = `http://127.0.0.1:${port}`;
  try {
    // A bad config or a taken port ends nginx at once: fail then, not after the readiness timeout.
    await Promise.race([
      waitForHttp(`${url}/__nginx/ready`),
      proc.exited.then((e) => Promise.reject(new Error(`nginx exited (${e.code ?? e.signal})`))),
    ]);
    // `nginx -s reload` reads the pid file; a reload right after start must find it.
    await waitFor(() => (readFileSync(join(prefix, 'nginx.pid'), 'utf8').trim() ? true : undefined), {
      what: 'nginx pid file',
    });
  } catch (err) {
    await proc.stop(1_000);
    const log = safeRead(join(prefix, 'logs', 'error.log'));
    rmSync(prefix, { recursive: true, force: true });
    throw new Error(`nginx did not start: ${(err as Error).message}\n${proc.stderr()}\n${log}`);
  }
  const errorLog = () => safeRead(join(prefix, 'logs', 'error.log'));
  // Counted over the whole text: `nginx -s reload` logs to the same file and can glue two lines together.
  const count = (re: RegExp) => errorLog().match(re)?.length ?? 0;
  const reloads = () => count(/signal 1 \(SIGHUP\) received from \d+, reconfiguring/g);
  return {
    port,
    url,
    prefix,
    confFile,
    upstreamFile,
    upstream,
    testCommand,
    reloadCommand,
    trafficSpec: { type: 'nginx', configFile: upstreamFile, upstream, testCommand, reloadCommand },
    reloads,
    waitForReloads: async (n, timeoutMs = 10_000) => {
      // One worker per generation: reload k is complete once k old workers are shutting down.
      await waitFor(() => (reloads() >= n && count(/gracefully shutting down/g) >= n ? true : undefined), {
        timeoutMs,
        intervalMs: 20,
        what: `nginx reload #${n}`,
      });
    },
    errorLog,
    accessLog: () =>
      safeRead(join(prefix, 'logs', 'access.log'))
        .split('\n')
        .filter(Boolean),
    proc,
    stop: async () => {
      await proc.stop(3_000);
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
