/**
 * Prometheus text exposition format (version 0.0.4), the subset a ratio of counters needs:
 * sample lines `name{label="value",…} value [timestamp]`; comments and TYPE/HELP lines skipped.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return Number.NaN;
  const v = Number(text);
  if (text === '' || Number.isNaN(v)) throw new Error(`bad sample value "${text}"`);
  return v;
}

/** Reads `{a="x",b="y\"z"}` starting at `i` (the `{`); returns labels and the index after `}`. */
function parseLabels(line: string, i: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let pos = i + 1;
  for (;;) {
    while (line[pos] === ' ' || line[pos] === ',') pos++;
    if (line[pos] === '}') return [labels, pos + 1];
    const eq = line.indexOf('=', pos);
    if (eq < 0 || line[eq + 1] !== '"') throw new Error('bad label set');
    const name = line.slice(pos, eq).trim();
    let value = '';
    pos = eq + 2;
    for (; pos < line.length && line[pos] !== '"'; pos++) {
      if (line[pos] === '\\') {
        const next = line[++pos];
        value += next === 'n' ? '\n' : (next ?? '');
      } else value += line[pos];
    }
    if (pos >= line.length) throw new Error('unterminated label value');
    labels[name] = value;
    pos++;
  }
}

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  text.split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    try {
      const nameEnd = line.search(/[{\s]/);
      if (nameEnd <= 0) throw new Error('no metric name');
      const name = line.slice(0, nameEnd);
      let labels: Record<string, string> = {};
      let rest = line.slice(nameEnd);
      if (rest.startsWith('{')) {
        const [parsed, end] = parseLabels(line, nameEnd);
        labels = parsed;
        rest = line.slice(end);
      }
      const [valueText = ''] = rest.trim().split(/\s+/);
      samples.push({ name, labels, value: parseValue(valueText) });
    } catch (err) {
      throw new Error(`line ${n + 1}: ${(err as Error).message}: ${line.slice(0, 120)}`);
    }
  });
  return samples;
}
