import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runThreader } from '../helpers/process.js';

describe('threader check-config', () => {
  it('passes the shipped example and fails a bad file, naming each problem by path', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'check-config-')), 'bad.yaml');
    writeFileSync(
      bad,
      'threads:\n  key: everything\n  reopenWindow: soon\nroutes:\n  - labels: {team: web}\n',
    );
    const r = await runThreader(['check-config', join(repoRoot, 'examples/threader.yaml'), bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Checking '" + join(repoRoot, 'examples/threader.yaml') + "'  SUCCESS");
    expect(r.stdout).toMatch(
      /FAILED: .*threads\.key: .*threads\.reopenWindow: "soon" is not a duration.*routes\[0\]\.channel/,
    );
  });

  it('exits 0 when every file is valid', async () => {
    const r = await runThreader(['check-config', join(repoRoot, 'examples/threader.yaml')]);
    expect(r.code).toBe(0);
  });
});
