/**
 * A fleet for the deploy benchmark (the JS twin of test/deploy/harness.ts, which bench/ cannot
 * import): real nginx (own prefix, loopback port) in front of test-service instances run by the
 * process driver, a real Prometheus scraping them, a deploy config in a temp dir, and a steady
 * load through nginx that records which version answered when.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
const service = fileURLToPath(new URL('../../test/fixtures/test-service.mjs', import.meta.url));
export const threaderBin = fileURLToPath(new URL('../../bin/threader.js', import.meta.url));

export function hasDeployTools() {
  try {
    execFileSync('prometheus', ['--version'], { stdio: 'ignore' });
    execFileSync(NGINX, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function until(what, probe, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function nginxConf(prefix, port, upstreamFile) {
  const tmp = (n) => `${n}_temp_path ${join(prefix, 'tmp', n)};`;
  return `worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'logs', 'error.log')} notice;
${process.getuid?.() === 0 ? 'user root root;' : ''}
events { worker_connections 1024; }
http {
    access_log off;
    ${tmp('client_body')} ${tmp('proxy')} ${tmp('fastcgi')} ${tmp('uwsgi')} ${tmp('scgi')}
    include ${upstreamFile};
    server {
        listen 127.0.0.1:${port};
        keepalive_timeout 0;
        location / {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout http_502;
            proxy_connect_timeout 1s;
        }
    }
}
`;
}

/** Runs `threader ARGS` to its end; resolves with code, output and wall time. */
export function threader(args, env = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [threaderBin, ...args], {
      env: { ...process.env, THREADER_ACTOR: 'bench', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr, wallMs: Date.now() - started }));
  });
}

/**
 * @param {{instances: number, strategy: object, healthCheck: object, analysis: object, keep?: boolean}} o
 */
export async function startDeployFleet(o) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-deploy-'));
  const children = [];
  const wrapper = join(dir, 'run-service.sh');
  writeFileSync(
    wrapper,
    `#!/bin/sh\ncase "$2" in *bad*) r=0.2;; *) r=0;; esac\nexec "${process.execPath}" "${service}" --port "$1" --version-label "$2" --error-ratio "$r" --name "$3"\n`,
  );
  chmodSync(wrapper, 0o755);
  const ports = [];
  for (let i = 0; i < o.instances; i++) ports.push(await freePort());
  const names = ports.map((_, i) => `svc-${String.fromCharCode(97 + i)}`);

  const prefix = join(dir, 'nginx');
  for (const d of ['logs', 'tmp', 'conf.d']) mkdirSync(join(prefix, d), { recursive: true });
  const upstreamFile = join(prefix, 'conf.d', 'upstream.conf');
  writeFileSync(upstreamFile, 'upstream app {\n    server 127.0.0.1:9 down;\n}\n');
  const nginxPort = await freePort();
  const confFile = join(prefix, 'nginx.conf');
  writeFileSync(confFile, nginxConf(prefix, nginxPort, upstreamFile));
  const where = ['-p', prefix, '-c', confFile];
  children.push(spawn(NGINX, [...where, '-g', 'daemon off;'], { stdio: 'ignore', detached: true }));
  const url = `http://127.0.0.1:${nginxPort}`;
  await until(
    'nginx',
    async () =>
      (await globalThis.fetch(url)).status > 0 && readFileSync(join(prefix, 'nginx.pid'), 'utf8').trim(),
  );

  const promDir = join(dir, 'prometheus');
  mkdirSync(promDir);
  writeFileSync(
    join(promDir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      scrape_configs: [
        { job_name: 'svc', static_configs: [{ targets: ports.map((p) => `127.0.0.1:${p}`) }] },
      ],
    }),
  );
  const promPort = await freePort();
  children.push(
    spawn(
      'prometheus',
      [
        `--config.file=${join(promDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(promDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore', detached: true, cwd: promDir },
    ),
  );
  const promUrl = `http://127.0.0.1:${promPort}`;
  await until('prometheus', async () => (await globalThis.fetch(`${promUrl}/-/ready`)).ok);

  const config = join(dir, 'deploy.yaml');
  writeFileSync(
    config,
    stringify({
      service: 'svc',
      stateDb: join(dir, 'deploys.db'),
      environments: {
        bench: {
          instances: names.map((name, i) => ({
            name,
            host: '127.0.0.1',
            port: ports[i],
            tags: i === o.instances - 1 ? ['canary'] : [],
          })),
          driver: { type: 'process', stateDir: join(dir, 'run'), stopTimeout: '2s' },
          run: { command: [wrapper, '{port}', '{version}', '{instance}'], env: {} },
          healthCheck: {
            path: '/healthz',
            expectStatus: 200,
            timeout: '1s',
            deadline: '20s',
            ...o.healthCheck,
          },
          traffic: {
            type: 'nginx',
            configFile: upstreamFile,
            upstream: 'app',
            testCommand: [NGINX, '-t', '-q', ...where],
            reloadCommand: [NGINX, ...where, '-s', 'reload'],
          },
          strategy: o.strategy,
          analysis: {
            provider: { type: 'prometheus', url: promUrl, timeout: '2s' },
            scope: { job: 'svc' },
            slos: {
              http_5xx_ratio: { threshold: 0.01 },
              error_log_ratio: { enabled: false },
            },
            noData: 'fail',
            ...o.analysis,
          },
          approval: { required: false },
          guard: { lockFile: join(dir, 'guard'), lockDuration: '10m' },
        },
      },
    }),
  );

  // The load: one request every 20 ms through nginx; each answer's version and time is kept.
  const answers = [];
  let failed = 0;
  const timer = setInterval(() => {
    globalThis
      .fetch(`${url}/`, { signal: globalThis.AbortSignal.timeout(3_000) })
      .then(async (r) => {
        await r.arrayBuffer();
        if (r.status === 502 || r.status === 504) failed++;
        answers.push({ at: Date.now(), version: r.headers.get('x-version') ?? `status ${r.status}` });
      })
      .catch(() => failed++);
  }, 20);

  const base = ['--config', config, '--env', 'bench'];
  return {
    dir,
    config,
    names,
    answers,
    failed: () => failed,
    deploy: (args) => threader([...args, ...base]),
    plan: async (version) => JSON.parse((await threader(['plan', version, '--json', ...base])).stdout),
    async waitForPrometheusTargets() {
      await until(`${ports.length} targets up`, async () => {
        const u = new URL('/api/v1/query', promUrl);
        u.searchParams.set('query', 'up == 1');
        const body = await (await globalThis.fetch(u)).json();
        return body.data.result.length >= ports.length;
      });
    },
    async stop() {
      clearInterval(timer);
      for (const c of children) {
        try {
          process.kill(-c.pid, 'SIGKILL');
        } catch {
          // Gone.
        }
      }
      for (const name of names) {
        try {
          const pid = Number(readFileSync(join(dir, 'run', `${name}.pid`), 'utf8').trim());
          if (pid) process.kill(-pid, 'SIGKILL');
        } catch {
          // Not running.
        }
      }
      if (!o.keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}
