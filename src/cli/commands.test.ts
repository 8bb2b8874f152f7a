import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT = /^import\s+(type\s+)?([\s\S]*?)\s+from\s+'([^']+)';/gm;

/** Specifiers a module loads when it is evaluated: `import type` and all-`type` lists are erased. */
function valueImports(file: string): string[] {
  const found: string[] = [];
  for (const [, typeOnly, clause = '', from = ''] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const names = /^\{([\s\S]*)\}$/
      .exec(clause.trim())?.[1]
      ?.split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (typeOnly || (names && names.every((n) => n.startsWith('type ')))) continue;
    found.push(from);
  }
  return found;
}

/** Every source file and package `threader` evaluates before it parses argv (static imports only). */
function startupGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of valueImports(file)) {
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  };
  visit(entry);
  return { files: [...files].map((f) => relative(srcDir, f)).sort(), packages: [...packages].sort() };
}

describe('what every threader command loads before it runs', () => {
  const graph = startupGraph(join(srcDir, 'cli/main.ts'));

  it('is commander and nothing else from node_modules (no fastify, pg, sqlite, zod, yaml, Slack)', () => {
    expect(graph.packages).toEqual(['commander']);
  });

  it('includes no command implementation: each one is imported when its command runs', () => {
    expect(graph.files.filter((f) => f.endsWith('-action.ts'))).toEqual([]);
  });

  it('stays inside the CLI, apart from the error classes and the pure value parsers its flags use', () => {
    expect(graph.files.filter((f) => !f.startsWith('cli/'))).toEqual([
      'config/channel-id.ts',
      'config/duration.ts',
      'errors.ts',
      'notify/slack-flags.ts',
      'slack/render/escape.ts',
      'slack/thread-ref.ts',
    ]);
  });
});
