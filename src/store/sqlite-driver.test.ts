import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database, { SQLITE_DRIVER } from './sqlite-driver.js';

const require = createRequire(import.meta.url);
const nodeMajor = Number(process.versions.node.split('.')[0]);

describe('the SQLite driver for this Node', () => {
  it('is better-sqlite3 13 from Node 24 on and 12 before, and it opens a database', () => {
    expect(SQLITE_DRIVER).toBe(nodeMajor >= 24 ? 'better-sqlite3-napi' : 'better-sqlite3');
    const pkg = (
      nodeMajor >= 24 ? require('better-sqlite3-napi/package.json') : require('better-sqlite3/package.json')
    ) as { version: string };
    expect(pkg.version.split('.')[0]).toBe(nodeMajor >= 24 ? '13' : '12');
    const db = new Database(':memory:');
    expect(db.prepare('select 41 + 1 as n').get()).toEqual({ n: 42 });
    db.close();
  });

  it('is the only way the stores reach better-sqlite3 (a direct import would bring 12 to Node 24)', () => {
    const src = join(import.meta.dirname, '..');
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const direct = files.filter(
      (f) =>
        !f.endsWith('sqlite-driver.ts') &&
        /from 'better-sqlite3(-napi)?'/.test(readFileSync(join(src, f), 'utf8')),
    );
    expect(direct).toEqual([]);
  });
});
