import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/process.js';
// @ts-expect-error -- a plain .mjs script (no types); auditVerdict is its pure part.
import { auditVerdict } from '../../scripts/security/audit-gate.mjs';

/**
 * The security stage gates: the secret scan fails on a credential planted in a copy of this tree
 * and passes on the tree as it is; the audit gate tells vulnerable from unanswered, and its exit
 * code says so; the lint step fails on a security-rule finding; the SBOM check fails on an SBOM
 * that lost a runtime dependency. `npm` is a stub on PATH where the step asks the registry.
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

/**
 * A small tree with this repository's security scripts, eslint config and package.json (and its
 * node_modules, linked), so `scripts/security/run.sh` runs as it does here but over a few files.
 * `npm` is a stub first on PATH: it logs its arguments and prints the file $STUB_NPM_OUT.
 */
function securityTree(): { dir: string; run: (args: string[], env?: Record<string, string>) => Run } {
  const dir = mkdtempSync(join(tmpdir(), 'security-tree-'));
  cpSync(join(repoRoot, 'scripts/security'), join(dir, 'scripts/security'), { recursive: true });
  for (const file of ['eslint.config.js', 'package.json']) cpSync(join(repoRoot, file), join(dir, file));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/ok.ts'), 'export const twice = (n: number): number => n * 2;\n');
  mkdirSync(join(dir, 'stub-bin'));
  writeFileSync(
    join(dir, 'stub-bin/npm'),
    '#!/usr/bin/env bash\nprintf "%s\\n" "$*" >>"$STUB_NPM_LOG"\ncat "$STUB_NPM_OUT"\nexit "${STUB_NPM_EXIT:-0}"\n',
  );
  chmodSync(join(dir, 'stub-bin/npm'), 0o755);
  const run = (args: string[], env: Record<string, string> = {}): Run => {
    const r = spawnSync(args[0] as string, args.slice(1), {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        PATH: `${join(dir, 'stub-bin')}:${process.env.PATH ?? ''}`,
        STUB_NPM_LOG: join(dir, 'npm.log'),
        THREADER_AUDIT_UNAVAILABLE: '',
        ...env,
      },
    });
    return {
      code: r.status,
      out: r.stdout,
      err: r.stderr,
      npm: existsSync(join(dir, 'npm.log')) ? readFileSync(join(dir, 'npm.log'), 'utf8') : '',
    };
  };
  return { dir, run };
}

interface Run {
  code: number | null;
  out: string;
  err: string;
  /** What the stub npm was asked, one call a line. */
  npm: string;
}

const fixture = (name: string) => join(repoRoot, 'test/pipelines/fixtures/security', name);

describe('audit gate main(): its exit code is the gate', () => {
  let tree: ReturnType<typeof securityTree>;
  beforeAll(() => {
    tree = securityTree();
  });
  afterAll(() => rmSync(tree.dir, { recursive: true, force: true }));

  const audit = (out: string, env: Record<string, string> = {}) => {
    rmSync(join(tree.dir, 'npm.log'), { force: true });
    return tree.run(
      ['node', 'scripts/security/audit-gate.mjs', '--level', 'high', '--report', 'audit.json'],
      {
        STUB_NPM_OUT: out,
        ...env,
      },
    );
  };

  it('fails (1) on a high advisory of a runtime dependency, naming it, and asks npm about runtime dependencies only', () => {
    const r = audit(fixture('audit-high.json'), { STUB_NPM_EXIT: '1' });
    expect(r.code, r.err).toBe(1);
    expect(r.npm.trim()).toBe('audit --omit=dev --json');
    expect(r.err).toContain('audit: left-pad (high, <1.3.1): Prototype pollution in left-pad');
    expect(r.err).toContain('audit: FAILED (1 at or above high, 2 in all)');
    expect(r.err).not.toContain('is-odd');
    // The report npm gave is kept as the CI artifact.
    expect(JSON.parse(readFileSync(join(tree.dir, 'audit.json'), 'utf8'))).toMatchObject({
      metadata: { vulnerabilities: { high: 1 } },
    });
  });

  it('passes (0) when what is found is below the level', () => {
    const r = audit(fixture('audit-moderate.json'), { STUB_NPM_EXIT: '1' });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('audit: ok (0 at or above high, 1 in all)');
  });

  it('fails closed (1) when the advisory service cannot be reached', () => {
    const r = audit(fixture('audit-unreachable.json'), { STUB_NPM_EXIT: '1' });
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain('the advisory service did not answer');
    expect(r.err).toContain('ENOTFOUND');
    expect(r.err).toContain('failing closed');
  });

  it('passes the unreachable service (0) only with THREADER_AUDIT_UNAVAILABLE=warn, saying it did not judge', () => {
    const r = audit(fixture('audit-unreachable.json'), {
      STUB_NPM_EXIT: '1',
      THREADER_AUDIT_UNAVAILABLE: 'warn',
    });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('not judged (THREADER_AUDIT_UNAVAILABLE=warn)');
    // warn excuses an unanswered audit, never a finding.
    expect(
      audit(fixture('audit-high.json'), { STUB_NPM_EXIT: '1', THREADER_AUDIT_UNAVAILABLE: 'warn' }).code,
    ).toBe(1);
  });

  it('fails closed (1) when npm prints no JSON at all', () => {
    const r = audit('/dev/null', { STUB_NPM_EXIT: '1' });
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain('npm audit printed no JSON (exit 1)');
  });
});

describe('scripts/security/run.sh lint and sbom', () => {
  let tree: ReturnType<typeof securityTree>;
  beforeAll(() => {
    tree = securityTree();
  });
  afterAll(() => rmSync(tree.dir, { recursive: true, force: true }));

  it('lint passes a clean tree and fails (1) on a security-rule finding, naming the rule and the file', () => {
    const clean = tree.run(['bash', 'scripts/security/run.sh', 'lint']);
    expect(clean.code, clean.err).toBe(0);
    expect(clean.err).toContain('security: passed: lint');

    const file = join(tree.dir, 'src/matcher.ts');
    // Nested quantifiers: catastrophic backtracking on a long input (ReDoS).
    writeFileSync(file, 'export const isName = (s: string): boolean => /^(a+)+$/.test(s);\n');
    try {
      const r = tree.run(['bash', 'scripts/security/run.sh', 'lint']);
      expect(r.code, r.out + r.err).toBe(1);
      expect(r.out).toContain('src/matcher.ts');
      expect(r.out).toContain('security/detect-unsafe-regex');
      expect(r.err).toContain('security: FAILED: lint');
    } finally {
      rmSync(file);
    }
  });

  // CycloneDX as `npm sbom` writes it: runtime packages, dev tools marked as development.
  const sbom = (runtime: string[]) => ({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    components: [
      ...runtime.map((name) => {
        const [group, bare] = name.startsWith('@') ? name.split('/') : [undefined, name];
        return { type: 'library', name: bare, ...(group ? { group } : {}), version: '1.0.0' };
      }),
      {
        type: 'library',
        name: 'vitest',
        version: '4.0.0',
        properties: [{ name: 'cdx:npm:package:development', value: 'true' }],
      },
    ],
  });
  const dependencies = Object.keys(
    (
      JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      }
    ).dependencies,
  );
  const runSbom = (doc: unknown) => {
    const file = join(tree.dir, 'sbom-fixture.json');
    writeFileSync(file, JSON.stringify(doc));
    return tree.run(['bash', 'scripts/security/run.sh', 'sbom'], { STUB_NPM_OUT: file });
  };

  it('sbom passes an SBOM that lists every runtime dependency', () => {
    const r = runSbom(sbom(dependencies));
    expect(r.code, r.err).toBe(0);
    expect(r.npm).toContain('sbom --sbom-format cyclonedx');
    expect(r.err).toContain(
      `sbom: ok (${dependencies.length} runtime of ${dependencies.length + 1} components`,
    );
  });

  it.each([
    [
      'one that lost a runtime dependency',
      sbom(dependencies.filter((d) => d !== 'commander')),
      'missing: commander',
    ],
    [
      'one that lists a runtime dependency only as a dev tool',
      {
        ...sbom(dependencies.filter((d) => d !== 'zod')),
        components: [
          ...sbom(dependencies.filter((d) => d !== 'zod')).components,
          {
            type: 'library',
            name: 'zod',
            properties: [{ name: 'cdx:npm:package:development', value: 'true' }],
          },
        ],
      },
      'missing: zod',
    ],
    ['one in another format', { ...sbom(dependencies), bomFormat: 'SPDX' }, 'not a CycloneDX SBOM'],
  ])('sbom fails (1) on %s', (_case, doc, said) => {
    const r = runSbom(doc);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain(said);
    expect(r.err).toContain('security: FAILED: sbom');
  });
});
