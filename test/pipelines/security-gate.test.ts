import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/process.js';
// @ts-expect-error -- a plain .mjs script (no types); auditVerdict is its pure part.
import { auditVerdict } from '../../scripts/security/audit-gate.mjs';

/**
 * The security stage gates: the secret scan fails on a credential planted in a copy of this tree
 * and passes on the tree as it is; the audit gate tells vulnerable from unanswered.
 */

const scan = join(repoRoot, 'scripts/security/secret-scan.sh');

// Built at run time so this file holds no token-shaped literal for the scan to find.
const plantedToken = ['xoxb', '123456789012', '1234567890123', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('-');

function runScan(dir: string): { code: number | null; out: string } {
  const r = spawnSync('bash', [scan, dir], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('secret scan (scripts/security/secret-scan.sh)', () => {
  let copy: string;
  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'secret-scan-'));
    // The tracked sources and configs, as a clone would have them (no node_modules, no build).
    for (const entry of [
      'src',
      'test',
      'scripts',
      'examples',
      'docs',
      '.github',
      '.gitlab-ci.yml',
      '.secretlintignore',
    ])
      cpSync(join(repoRoot, entry), join(copy, entry), { recursive: true });
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('passes on the tree as it is: the test fakes are allowlisted', () => {
    const r = runScan(copy);
    expect(r.out).toContain('secret-scan: ok');
    expect(r.code).toBe(0);
  });

  it('fails on a real-shaped Slack token planted in a source file, naming the file and masking the value', () => {
    const file = join(copy, 'src/leaked-config.ts');
    writeFileSync(file, `export const token = '${plantedToken}';\n`);
    try {
      const r = runScan(copy);
      expect(r.code).toBe(1);
      expect(r.out).toContain('src/leaked-config.ts');
      expect(r.out).toContain('SLACK_TOKEN');
      expect(r.out).not.toContain(plantedToken);
    } finally {
      rmSync(file);
    }
  });

  it('fails on a token in a workflow file (dotfiles are scanned too)', () => {
    const file = join(copy, '.github/workflows/leak.yml');
    writeFileSync(file, `env:\n  SLACK_BOT_TOKEN: ${plantedToken}\n`);
    try {
      expect(runScan(copy).code).toBe(1);
    } finally {
      rmSync(file);
    }
  });

  it('ignores build output, which is generated from scanned sources and never committed', () => {
    mkdirSync(join(copy, 'dist'), { recursive: true });
    writeFileSync(join(copy, 'dist/bundle.js'), `const t = '${plantedToken}';\n`);
    try {
      expect(runScan(copy).code).toBe(0);
    } finally {
      rmSync(join(copy, 'dist'), { recursive: true });
    }
  });
});

describe('audit gate (scripts/security/audit-gate.mjs)', () => {
  const report = (vulnerabilities: Record<string, { severity: string }>) => ({
    vulnerabilities: Object.fromEntries(
      Object.entries(vulnerabilities).map(([name, v]) => [name, { ...v, via: ['x'], range: '*' }]),
    ),
    metadata: {
      vulnerabilities: Object.values(vulnerabilities).reduce<Record<string, number>>(
        (n, v) => ({ ...n, [v.severity]: (n[v.severity] ?? 0) + 1 }),
        {},
      ),
    },
  });

  it.each([
    ['a clean report passes', report({}), 'pass'],
    ['a moderate advisory passes a high gate', report({ a: { severity: 'moderate' } }), 'pass'],
    ['a high advisory fails it', report({ a: { severity: 'high' } }), 'fail'],
    ['a critical advisory fails it', report({ a: { severity: 'critical' } }), 'fail'],
    [
      'a registry without the advisory endpoint is unavailable, not clean',
      { message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk' },
      'unavailable',
    ],
  ])('%s', (_case, input, verdict) => {
    expect(auditVerdict(input, 'high').verdict).toBe(verdict);
  });

  it('names each finding with its severity', () => {
    const result = auditVerdict(report({ 'left-pad': { severity: 'critical' } }), 'high');
    expect(result.findings).toEqual([expect.stringContaining('left-pad (critical')]);
  });
});
