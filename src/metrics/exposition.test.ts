import { describe, it, expect } from 'vitest';
import { parseExposition } from './exposition.js';

describe('parseExposition', () => {
  it('reads counters with labels and skips HELP and TYPE lines', () => {
    const text = [
      '# HELP threader_http_requests_total HTTP requests.',
      '# TYPE threader_http_requests_total counter',
      'threader_http_requests_total{route="/",method="GET",code="200"} 41',
      'threader_http_requests_total{route="/",method="GET",code="503"} 3 1700000000000',
      'up 1',
      '',
    ].join('\n');
    expect(parseExposition(text)).toEqual([
      { name: 'threader_http_requests_total', labels: { route: '/', method: 'GET', code: '200' }, value: 41 },
      { name: 'threader_http_requests_total', labels: { route: '/', method: 'GET', code: '503' }, value: 3 },
      { name: 'up', labels: {}, value: 1 },
    ]);
  });

  it('unescapes quotes, backslashes and newlines in label values', () => {
    const [s] = parseExposition('m{a="x\\"y",b="c\\\\d",c="e\\nf",} 2\n');
    expect(s?.labels).toEqual({ a: 'x"y', b: 'c\\d', c: 'e\nf' });
  });

  it('reads special values and exponents', () => {
    const values = parseExposition('a +Inf\nb -Inf\nc NaN\nd 1.5e3\n').map((s) => s.value);
    expect(values.slice(0, 2)).toEqual([Infinity, -Infinity]);
    expect(values[2]).toBeNaN();
    expect(values[3]).toBe(1500);
  });

  it('names the line of a malformed sample', () => {
    expect(() => parseExposition('ok 1\nbad{a="x} 1\n')).toThrow(/line 2/);
  });
});
