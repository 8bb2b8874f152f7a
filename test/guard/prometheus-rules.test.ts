import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { stringify } from 'yaml';
import { guardConfigSchema } from '../../src/config/guard.js';
import { guardChecks } from '../../src/guard/slos.js';
import { renderQuery } from '../../src/metrics/promql.js';
import { repoRoot, runProcess } from '../helpers/process.js';
import { hasPrometheus } from '../helpers/prometheus.js';

const dir = join(repoRoot, 'examples', 'prometheus');
const files = (sub: string) => readdirSync(join(dir, sub)).map((f) => join(dir, sub, f));

describe.skipIf(!hasPrometheus())('examples/prometheus with promtool', () => {
  it('has rule files that promtool check rules accepts', async () => {
    const r = await runProcess('promtool', ['check', 'rules', ...files('rules')]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('passes its promtool unit tests', async () => {
    const r = await runProcess('promtool', ['test', 'rules', ...files('tests')]);
    expect(r.stdout + r.stderr).not.toContain('FAILED');
    expect(r.code).toBe(0);
  });

  it('has an example configuration promtool accepts', async () => {
    const r = await runProcess('promtool', ['check', 'config', join(dir, 'prometheus.yml')]);
    expect(r.code).toBe(0);
  });

  it('gives the guard default queries that are valid PromQL', async () => {
    const checks = guardChecks(guardConfigSchema.parse({ scope: { job: 'api', env: 'prod' } }));
    const rules = {
      groups: [
        {
          name: 'guard',
          rules: checks.map((c) => ({ record: `guard:${c.name}`, expr: renderQuery(c, 300_000) })),
        },
      ],
    };
    const file = join(mkdtempSync(join(tmpdir(), 'guard-rules-')), 'guard.rules.yml');
    writeFileSync(file, stringify(rules));
    const r = await runProcess('promtool', ['check', 'rules', file]);
    expect(r.stdout + r.stderr).toContain('SUCCESS: 3 rules found');
  });
});
