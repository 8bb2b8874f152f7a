import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { canaryDeploy } from '../../src/dashboard/deploy-fixtures.test-suite.js';
import { openDeployStore } from '../../src/store/deploy-sqlite.js';
import { webhookBody } from '../helpers/builders.js';
import {
  freePort,
  repoRoot,
  runProcess,
  spawnThreader,
  startProcess,
  stopAll,
  waitFor,
  waitForHttp,
} from '../helpers/process.js';
import { promtoolMissing } from '../helpers/prometheus.js';
import { suiteTitle } from '../helpers/require-tool.js';
import {
  grafanaToPromql,
  isExported,
  metricNames,
  parseExposition,
  variableQueryMetrics,
  type Exposition,
} from './promql-metric-names.js';

// Every query in the Grafana dashboard and the alert rules reads metrics that really exist: those
// of a live `threader serve` (spawned from the build, after traffic so labelled series exist) or
// of a fleet instance following the project's conventions (test/fixtures/test-service.mjs).

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Array<{ refId: string; expr: string; datasource?: { uid: string } }>;
  panels?: Panel[];
}
interface Dashboard {
  schemaVersion: number;
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: string | { query: string } }> };
}
interface RuleGroup {
  name: string;
  rules: Array<{ alert?: string; record?: string; expr: string }>;
}

const dashboard = JSON.parse(
  readFileSync(join(repoRoot, 'examples', 'grafana', 'alert-threader.json'), 'utf8'),
) as Dashboard;
const rulesDir = join(repoRoot, 'examples', 'prometheus', 'rules');
const ruleGroups = readdirSync(rulesDir).flatMap(
  (f) => (parse(readFileSync(join(rulesDir, f), 'utf8')) as { groups: RuleGroup[] }).groups,
);
const allPanels = (ps: Panel[]): Panel[] => ps.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
const panels = allPanels(dashboard.panels);
const dashboardExprs = panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ where: `panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr })),
);
const ruleExprs = ruleGroups.flatMap((g) =>
  g.rules.map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr })),
);
/** Names recorded by our own rules (job:threader_http_5xx_ratio:rate5m …). */
const recorded = new Set(ruleGroups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));
/** Prometheus writes `up` for every target itself. */
const PROMETHEUS_OWN = new Set(['up']);

describe('the Grafana dashboard (examples/grafana/alert-threader.json)', () => {
  it('is a current, provisionable dashboard whose every query uses the datasource variable', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.uid).toBe('alert-threader');
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w, `panel ${p.id} fits the 24-column grid`).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(p.datasource?.uid, `panel ${p.id}`).toBe('${datasource}');
      expect(p.targets?.length, `panel ${p.id} has queries`).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe('${datasource}');
    }
  });

  it('shows intake, Slack, outbox, open threads, storm mode, guard and the three SLIs', () => {
    const used = new Set(dashboardExprs.flatMap((e) => metricNames(e.expr)));
    for (const name of [
      'threader_webhooks_received_total',
      'threader_notifications_total',
      'threader_slack_calls_total',
      'threader_slack_rate_limited_total',
      'threader_outbox_depth',
      'threader_outbox_oldest_age_seconds',
      'threader_open_threads',
      'threader_storm_active',
      'threader_guard_locked',
      'threader_guard_lock_remaining_seconds',
      'threader_http_requests_total',
      'threader_health_checks_total',
      'threader_log_messages_total',
      'threader_deploys',
      'threader_deploy_rollbacks_total',
      'threader_deploy_in_progress',
      'threader_deploy_last_success_timestamp_seconds',
      'threader_deploy_last_duration_seconds',
      'threader_deploy_last_finished_timestamp_seconds',
    ])
      expect(used, name).toContain(name);
  });
});

const noPromtool = promtoolMissing();

describe.skipIf(noPromtool !== undefined)(
  suiteTitle('every query is valid PromQL (promtool)', noPromtool),
  () => {
    it('accepts each dashboard query as a recording rule', async () => {
      const vars = { job: 'threader', service: '.+' };
      const file = join(mkdtempSync(join(tmpdir(), 'dashboard-rules-')), 'dashboard.rules.yml');
      const rules = dashboardExprs.map((e, i) => ({
        record: `dashboard:query_${i}`,
        expr: grafanaToPromql(e.expr, vars),
      }));
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const r = await runProcess('promtool', ['check', 'rules', file]);
      expect(r.stdout + r.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
    });
  },
);

describe('every metric a query reads is exported', () => {
  let threader: Exposition;
  let fleet: Exposition;

  beforeAll(async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'metric-names-'));
    // Deploy records as `threader deploy` leaves them, so every threader_deploy* series exists.
    const deployDb = join(dir, 'deploys.db');
    const deploys = await openDeployStore(deployDb);
    const hour = 3_600_000;
    await deploys.create(canaryDeploy({ id: 'd1', start: Date.now() - 2 * hour }).record);
    await deploys.create(canaryDeploy({ id: 'd2', start: Date.now() - hour, ending: 'rolled-back' }).record);
    await deploys.create(canaryDeploy({ id: 'd3', start: Date.now(), ending: 'running' }).record);
    await deploys.close();
    spawnThreader(['serve', '--port', String(port), '--host', '127.0.0.1'], {
      env: {
        ...process.env,
        THREADER_DB: join(dir, 'threader.db'),
        THREADER_DEPLOY_DB: deployDb,
        LOG_LEVEL: 'info',
      },
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/readyz`);
    // Traffic that creates the labelled series: a webhook accepted, one refused, a thread posted
    // to the embedded local Slack, health checks, a 404.
    const post = (body: string) =>
      fetch(`${base}/webhook/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    expect((await post(JSON.stringify(webhookBody()))).status).toBe(200);
    expect((await post('{"version":"4"}')).status).toBe(400);
    await fetch(`${base}/healthz`);
    await fetch(`${base}/nope`);
    const text = await waitFor(async () => {
      const t = await (await fetch(`${base}/metrics`)).text();
      return /threader_slack_calls_total\{[^}]*result="ok"/.test(t) ? t : undefined;
    });
    threader = parseExposition(text);

    const svc = startProcess(process.execPath, [
      join(repoRoot, 'test', 'fixtures', 'test-service.mjs'),
      '--port',
      '0',
    ]);
    const { url } = JSON.parse(await svc.waitForLine(/"listening"/)) as { url: string };
    await fetch(`${url}/`);
    await fetch(`${url}/healthz`);
    fleet = parseExposition(await (await fetch(`${url}/metrics`)).text());
  });

  afterAll(stopAll);

  const missing = (exprs: Array<{ where: string; expr: string }>) =>
    exprs.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter(
          (n) =>
            !PROMETHEUS_OWN.has(n) && !recorded.has(n) && !isExported(n, threader) && !isExported(n, fleet),
        )
        .map((n) => `${where}: ${n}`),
    );

  it('by threader serve or the fleet conventions, for every dashboard panel and variable', () => {
    const variables = dashboard.templating.list.flatMap((v) => {
      const q = typeof v.query === 'string' ? v.query : v.query.query;
      return v.type === 'query'
        ? variableQueryMetrics(q).map((n) => ({ where: `variable ${v.name}`, expr: n }))
        : [];
    });
    expect(dashboardExprs.length).toBeGreaterThan(20);
    expect(missing([...dashboardExprs, ...variables])).toEqual([]);
  });

  it('by threader serve or the fleet conventions, for every alert and recording rule', () => {
    expect(ruleExprs.length).toBeGreaterThan(10);
    expect(missing(ruleExprs)).toEqual([]);
  });

  it('with a deploy store, serve exports a sample of every threader_deploy* family', () => {
    for (const n of [
      'threader_deploys',
      'threader_deploy_rollbacks_total',
      'threader_deploy_in_progress',
      'threader_deploy_last_success_timestamp_seconds',
      'threader_deploy_last_duration_seconds',
      'threader_deploy_last_finished_timestamp_seconds',
    ])
      expect(threader.samples.has(n), n).toBe(true);
    expect(threader.types.get('threader_deploy_rollbacks_total')).toBe('counter');
  });

  it('and the SLI queries find the same names on the threader and on a fleet instance', () => {
    for (const n of [
      'threader_http_requests_total',
      'threader_health_checks_total',
      'threader_log_messages_total',
    ]) {
      expect(isExported(n, threader), `threader ${n}`).toBe(true);
      expect(isExported(n, fleet), `fleet ${n}`).toBe(true);
    }
  });
});
