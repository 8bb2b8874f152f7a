import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');

/** The Debian packages .ci/run installs: `packages=(…)`. */
function ciRunPackages(): string[] {
  const m = /^packages=\(([^)]*)\)/m.exec(readFileSync(join(root, '.ci', 'run'), 'utf8'));
  return (m?.[1] ?? '').split(/\s+/).filter(Boolean).sort();
}

describe('the CI pipelines install what the tests need', () => {
  it('TEST_PACKAGES is exactly the Debian package list of .ci/run (a tool missing under CI=true fails its tests)', () => {
    const ci = parse(readFileSync(join(root, '.github', 'workflows', 'ci.yml'), 'utf8')) as {
      env: { TEST_PACKAGES: string };
    };
    expect(ciRunPackages().length).toBeGreaterThan(5);
    expect(ci.env.TEST_PACKAGES.split(/\s+/).filter(Boolean).sort()).toEqual(ciRunPackages());
  });

  it('the GitLab test job installs exactly the same Debian packages', () => {
    const gitlab = parse(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')) as {
      test: { before_script: string[] };
    };
    const install = gitlab.test.before_script.find((l) => l.includes('apt-get install')) ?? '';
    const packages = install.split('--no-install-recommends')[1] ?? '';
    expect(packages.split(/\s+/).filter(Boolean).sort()).toEqual(ciRunPackages());
  });
});
