/** Goal checks, the printed table and the JSON files under bench/results. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A goal is on the ratio (`{op, ratio}`) or on the value itself (`{op, value}`). */
export function verdict(row) {
  const g = row.goal;
  if (!g) return { text: '', pass: undefined };
  const onRatio = g.ratio !== undefined;
  const actual = onRatio ? row.ratio : row.value;
  const target = onRatio ? g.ratio : g.value;
  const text = `${onRatio ? 'ratio' : 'value'} ${g.op === '>=' ? '≥' : '≤'} ${target}`;
  if (typeof actual !== 'number' || !Number.isFinite(actual)) return { text, pass: false };
  return { text, pass: g.op === '>=' ? actual >= target : actual <= target };
}

export function printTable(rows, log = console.log) {
  const header = ['figure', 'value', 'baseline', 'ratio', 'goal', 'result'];
  const lines = rows.map((r) => {
    const v = verdict(r);
    const unit = r.unit ? ` ${r.unit}` : '';
    return [
      r.figure,
      `${r.value}${typeof r.value === 'number' ? unit : ''}`,
      `${r.baseline}${typeof r.baseline === 'number' ? unit : ''}`,
      String(r.ratio),
      v.text,
      v.pass === undefined ? '' : v.pass ? 'PASS' : 'MISS',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  log(fmt(header));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) log(fmt(l));
}

export function writeResults(dir, result) {
  mkdirSync(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const file = join(dir, `${stamp}${result.mode === 'quick' ? '-quick' : ''}.json`);
  const text = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(join(dir, 'latest.json'), text);
  return file;
}
