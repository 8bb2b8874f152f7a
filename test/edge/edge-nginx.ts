import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NGINX_BIN, nginxMissing } from '../helpers/nginx.js';
import {
  freePort,
  repoRoot,
  runProcess,
  startProcess,
  waitFor,
  type StartedProcess,
} from '../helpers/process.js';
import { anyMissing, requireTool, runs } from '../helpers/require-tool.js';

/**
 * The shipped edge template (examples/nginx/threader-edge.conf.template) rendered the way its
 * README says — every ${EDGE_*} replaced, nothing else touched — and run by a real nginx on two
 * loopback ports, with a self-signed certificate made by openssl for this run.
 */

export const TEMPLATE = join(repoRoot, 'examples', 'nginx', 'threader-edge.conf.template');

/** Why the edge cannot start here (nginx, openssl), or undefined; throws under CI (see requireTool). */
export function edgeToolsMissing(): string | undefined {
  return anyMissing(
    nginxMissing(),
    requireTool('openssl', { install: 'openssl', check: runs('openssl', 'version') }),
  );
}

/** Replaces `${NAME}` for every given name; any ${EDGE_*} left over is a template bug. */
export function renderTemplate(text: string, vars: Record<string, string>): string {
  const out = text.replace(/\$\{(EDGE_[A-Z_]+)\}/g, (whole, name: string) => vars[name] ?? whole);
  const left = /\$\{EDGE_[A-Z_]+\}/.exec(out);
  if (left) throw new Error(`template variable ${left[0]} has no value`);
  return out;
}

export interface Certificate {
  cert: string;
  key: string;
  /** PEM text of the certificate, to trust it in a client. */
  pem: string;
}

/** A self-signed certificate for 127.0.0.1 and localhost, valid for one day. */
export async function selfSignedCertificate(dir: string): Promise<Certificate> {
  const cert = join(dir, 'edge.crt');
  const key = join(dir, 'edge.key');
  const r = await runProcess('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  if (r.code !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return { cert, key, pem: readFileSync(cert, 'utf8') };
}

export interface EdgeOptions {
  /** host:port of each replica, written as the README's replicas file says. */
  replicas: string[];
  hsts: 'on' | 'off';
}

export interface Edge {
  httpPort: number;
  httpsPort: number;
  /** https://127.0.0.1:PORT */
  origin: string;
  certificate: Certificate;
  rendered: string;
  accessLog(): Array<Record<string, unknown>>;
  errorLog(): string;
  proc: StartedProcess;
  stop(): Promise<void>;
}

/** The edge's files, rendered and written, and the argv of `nginx -t` on them: nothing started. */
export interface PreparedEdge {
  prefix: string;
  httpPort: number;
  httpsPort: number;
  certificate: Certificate;
  rendered: string;
  /** nginx's -p and -c arguments. */
  where: string[];
  testCommand: string[];
}

export async function prepareEdge(opts: EdgeOptions): Promise<PreparedEdge> {
  const prefix = mkdtempSync(join(tmpdir(), 'threader-edge-'));
  for (const d of ['logs', 'tmp']) mkdirSync(join(prefix, d));
  const certificate = await selfSignedCertificate(prefix);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const replicasFile = join(prefix, 'replicas.conf');
  writeFileSync(
    replicasFile,
    opts.replicas.map((r) => `server ${r} max_fails=3 fail_timeout=10s;\n`).join(''),
  );
  const rendered = renderTemplate(readFileSync(TEMPLATE, 'utf8'), {
    EDGE_SERVER_NAME: 'localhost',
    EDGE_PUBLIC_URL: `https://127.0.0.1:${httpsPort}`,
    EDGE_HTTP_LISTEN: `127.0.0.1:${httpPort}`,
    EDGE_HTTPS_LISTEN: `127.0.0.1:${httpsPort}`,
    EDGE_HSTS: opts.hsts,
    EDGE_TLS_CERT: certificate.cert,
    EDGE_TLS_KEY: certificate.key,
    EDGE_REPLICAS_FILE: replicasFile,
    EDGE_LOG_DIR: join(prefix, 'logs'),
  });
  const edgeFile = join(prefix, 'threader-edge.conf');
  writeFileSync(edgeFile, rendered);
  // What Debian's /etc/nginx/nginx.conf does around conf.d, minus what a test cannot use.
  const tmp = (n: string) => `${n}_temp_path ${join(prefix, 'tmp', n)};`;
  const confFile = join(prefix, 'nginx.conf');
  writeFileSync(
    confFile,
    `worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'logs', 'error.log')} notice;
${process.getuid?.() === 0 ? 'user root root;' : ''}
events { worker_connections 256; }
http {
    ${tmp('client_body')} ${tmp('proxy')} ${tmp('fastcgi')} ${tmp('uwsgi')} ${tmp('scgi')}
    include ${edgeFile};
}
`,
  );
  const where = ['-p', prefix, '-c', confFile];
  return {
    prefix,
    httpPort,
    httpsPort,
    certificate,
    rendered,
    where,
    testCommand: [NGINX_BIN, '-t', ...where],
  };
}

export async function startEdge(opts: EdgeOptions): Promise<Edge> {
  const { prefix, httpPort, httpsPort, certificate, rendered, where } = await prepareEdge(opts);
  const check = await runProcess(NGINX_BIN, ['-t', ...where]);
  if (check.code !== 0) {
    rmSync(prefix, { recursive: true, force: true });
    throw new Error(`nginx -t refused the rendered template:\n${check.stdout}${check.stderr}`);
  }
  const proc = startProcess(NGINX_BIN, [...where, '-g', 'daemon off;'], { name: `edge nginx :${httpsPort}` });
  const readLog = (f: string) => {
    try {
      return readFileSync(join(prefix, 'logs', f), 'utf8');
    } catch {
      return '';
    }
  };
  try {
    await Promise.race([
      waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${httpPort}/`, { redirect: 'manual' });
          return res.status === 301 ? true : undefined;
        },
        { what: 'edge nginx' },
      ),
      proc.exited.then((e) => Promise.reject(new Error(`nginx exited (${e.code ?? e.signal})`))),
    ]);
  } catch (err) {
    await proc.stop(1_000);
    const log = readLog('error.log');
    rmSync(prefix, { recursive: true, force: true });
    throw new Error(`edge nginx did not start: ${(err as Error).message}\n${proc.stderr()}\n${log}`);
  }
  return {
    httpPort,
    httpsPort,
    origin: `https://127.0.0.1:${httpsPort}`,
    certificate,
    rendered,
    accessLog: () =>
      readLog('threader-edge.access.log')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    errorLog: () => readLog('error.log'),
    proc,
    stop: async () => {
      await proc.stop(3_000);
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
