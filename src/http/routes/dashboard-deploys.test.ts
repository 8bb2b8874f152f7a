import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canaryDeploy } from '../../dashboard/deploy-fixtures.test-suite.js';
import { LiveEvents } from '../../dashboard/live-events.js';
import { DASHBOARD_CSP } from '../../dashboard/security.js';
import { openDeployStore } from '../../store/deploy-sqlite.js';
import type { DeployStoreWithControls } from '../../store/deploy-types.js';
import type { ThreadStore } from '../../store/types.js';
import { errorHandler } from '../errors.js';
import { registerDashboardRoutes } from './dashboard.js';

const NOW = Date.UTC(2026, 10, 26, 14, 0, 0);
const HOUR = 3_600_000;

let app: FastifyInstance | undefined;
let deploys: DeployStoreWithControls;

beforeEach(async () => {
  deploys = await openDeployStore(':memory:');
  for (const [id, env, start, ending] of [
    ['dep_a', 'staging', NOW - 3 * HOUR, 'succeeded'],
    ['dep_b', 'production', NOW - 2 * HOUR, 'rolled-back'],
    ['dep_c', 'production', NOW - HOUR, 'succeeded'],
  ] as const) {
    const f = canaryDeploy({ id, env, start, ending, threadRef: 'C0DEPLOYS:1764158400.000100' });
    await deploys.create(f.record);
    for (const e of f.events) await deploys.appendEvent(id, e.event, e.at);
  }
});
afterEach(async () => {
  await app?.close();
  await deploys.close();
});

async function serve(withDeploys = true) {
  app = Fastify();
  app.setErrorHandler(errorHandler());
  registerDashboardRoutes(app, {
    store: {} as ThreadStore,
    now: () => NOW,
    version: '9.9.9',
    guard: { defaultLockFile: () => '/nonexistent/qos.guard' },
    guardChecks: [],
    workspaceUrl: async () => 'https://acme.slack.com/',
    events: new LiveEvents(),
    ...(withDeploys ? { deploys } : {}),
  });
  await app.ready();
  return app;
}

describe('dashboard deployment routes', () => {
  it('list deploys newest first, with the security headers and nothing inline', async () => {
    const res = await (await serve()).inject('/deployments');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    const order = ['dep_c', 'dep_b', 'dep_a'].map((id) => res.body.indexOf(`data-deploy="${id}"`));
    expect(order.every((i, n) => i > 0 && (n === 0 || i > (order[n - 1] as number)))).toBe(true);
    expect(res.body).toContain('href="https://acme.slack.com/archives/C0DEPLOYS/p1764158400000100"');
    expect(res.body).not.toMatch(/<script>|style="/);
  });

  it('filter by environment and status, offer every environment, and offer more when there is more', async () => {
    const a = await (await serve()).inject('/deployments?env=production&status=succeeded');
    expect(a.body).toContain('data-deploy="dep_c"');
    expect(a.body).not.toMatch(/data-deploy="dep_[ab]"/);
    expect(a.body).toMatch(/<option value="staging"\s*>staging<\/option>/);
    const b = await app!.inject('/deployments?limit=2&status=nope');
    expect(b.body).toContain('Ignored a bad value for: status');
    expect(b.body).toContain('href="/deployments?limit=4">Show more</a>');
  });

  it('show one deploy, and answer an unknown one with a 404 page', async () => {
    const ok = await (await serve()).inject('/deployments/dep_b');
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('<title>api 1.5.0 to production · Alert Threader</title>');
    expect(ok.body).toContain('role="img"');
    expect(ok.body).not.toMatch(/style="/);
    const missing = await app!.inject('/deployments/dep_nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('<a href="/deployments">Back to the deployments</a>');
  });

  it('say how to enable the view when serve reads no deploy records', async () => {
    const res = await (await serve(false)).inject('/deployments');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('THREADER_DEPLOY_DB');
  });
});
