import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { amtoolMissing } from '../helpers/alertmanager-tools.js';
import { repoRoot, runProcess } from '../helpers/process.js';
import { promtoolMissing } from '../helpers/prometheus.js';
import { suiteTitle } from '../helpers/require-tool.js';

const promDir = join(repoRoot, 'examples', 'prometheus');
const amFile = join(repoRoot, 'examples', 'alertmanager', 'alertmanager.yml');
const inDir = (sub: string) => readdirSync(join(promDir, sub)).map((f) => join(promDir, sub, f));

interface Receiver {
  name: string;
  webhook_configs?: Array<{
    url: string;
    send_resolved: boolean;
    max_alerts: number;
    http_config: { authorization: { type: string; credentials_file?: string; credentials?: string } };
  }>;
}
const amConfig = () => parse(readFileSync(amFile, 'utf8')) as { receivers: Receiver[] };

const noPromtool = promtoolMissing();
const noAmtool = amtoolMissing();

describe.skipIf(noPromtool !== undefined)(suiteTitle('examples/prometheus with promtool', noPromtool), () => {
  it('has alert rules that all pass promtool check rules', async () => {
    const r = await runProcess('promtool', ['check', 'rules', ...inDir('rules')]);
    expect(r.stdout + r.stderr).not.toContain('FAILED');
    expect(r.code).toBe(0);
  });

  it('has a promtool unit test for every alert, and they pass', async () => {
    const alerts = inDir('rules').flatMap((f) =>
      (
        parse(readFileSync(f, 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string }> }> }
      ).groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : []))),
    );
    const tested = new Set(
      inDir('tests').flatMap((f) =>
        (
          parse(readFileSync(f, 'utf8')) as {
            tests: Array<{ alert_rule_test?: Array<{ alertname: string }> }>;
          }
        ).tests.flatMap((t) => (t.alert_rule_test ?? []).map((a) => a.alertname)),
      ),
    );
    for (const a of [
      'ThreaderDown',
      'ThreaderHigh5xxRatio',
      'ThreaderSlackDeliveryFailing',
      'ThreaderSlackCallsFailing',
      'ThreaderOutboxBacklog',
      'ThreaderOutboxGrowing',
      'ThreaderStormMode',
      'ThreaderGuardLockedTooLong',
    ])
      expect(alerts).toContain(a);
    expect(alerts.filter((a) => !tested.has(a))).toEqual([]);
    const r = await runProcess('promtool', ['test', 'rules', ...inDir('tests')]);
    expect(r.stdout + r.stderr).not.toContain('FAILED');
    expect(r.code).toBe(0);
  });

  it('has a scrape configuration promtool accepts, with the threader and a fleet job', async () => {
    const r = await runProcess('promtool', ['check', 'config', join(promDir, 'prometheus.yml')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const config = parse(readFileSync(join(promDir, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string }>;
    };
    expect(config.scrape_configs.map((s) => s.job_name)).toEqual(['threader', 'api']);
  });
});

describe('examples/alertmanager/alertmanager.yml as written', () => {
  it('sends to the threader webhook with a bearer token from a file, resolves included, alerts capped', () => {
    const hooks = amConfig().receivers.flatMap((r) => r.webhook_configs ?? []);
    expect(hooks.length).toBeGreaterThan(0);
    for (const h of hooks) {
      expect(new URL(h.url).pathname).toBe('/webhook/alertmanager');
      expect(h.send_resolved).toBe(true);
      expect(h.max_alerts).toBeGreaterThan(0);
      expect(h.http_config.authorization.type).toBe('Bearer');
      expect(h.http_config.authorization.credentials_file).toMatch(/^\//);
      expect(h.http_config.authorization.credentials).toBeUndefined();
    }
  });
});

describe.skipIf(noAmtool !== undefined)(
  suiteTitle('examples/alertmanager/alertmanager.yml with amtool', noAmtool),
  () => {
    it('passes amtool check-config', async () => {
      const r = await runProcess('amtool', ['check-config', amFile]);
      expect(r.stdout + r.stderr).toContain('SUCCESS');
      expect(r.code).toBe(0);
    });

    it("routes the threader's own alerts around the threader, and everything else to it", async () => {
      const route = async (...labels: string[]) =>
        (
          await runProcess('amtool', ['config', 'routes', 'test', `--config.file=${amFile}`, ...labels])
        ).stdout.trim();
      expect(await route('alertname=ThreaderDown', 'instance=t1')).toBe('threader-itself');
      expect(await route('alertname=HighErrorRate', 'team=db')).toBe('slack-threads-db');
      expect(await route('alertname=HighErrorRate')).toBe('slack-threads');
      const itself = amConfig().receivers.find((r) => r.name === 'threader-itself');
      expect(itself?.webhook_configs).toBeUndefined();
    });
  },
);
