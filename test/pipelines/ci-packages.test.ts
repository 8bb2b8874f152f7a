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

describe('the GitHub CI workflow installs what the tests need', () => {
  it('TEST_PACKAGES is exactly the Debian package list of .ci/run (a tool missing under CI=true fails its tests)', () => {
    const ci = parse(readFileSync(join(root, '.github', 'workflows', 'ci.yml'), 'utf8')) as {
      env: { TEST_PACKAGES: string };
    };
    expect(ciRunPackages().length).toBeGreaterThan(5);
    expect(ci.env.TEST_PACKAGES.split(/\s+/).filter(Boolean).sort()).toEqual(ciRunPackages());
  });
});
