import { describe, expect, it } from 'vitest';
import { fingerprintOf } from './fingerprint.js';

// Expected values are the decimal test vectors of prometheus/common model/signature_test.go,
// printed as Alertmanager prints fingerprints (%016x).
const hex = (decimal: string): string => BigInt(decimal).toString(16).padStart(16, '0');

describe('fingerprintOf', () => {
  it.each<{ name: string; labels: Record<string, string>; expected: string }>([
    {
      name: 'an empty label set hashes to the FNV offset basis',
      labels: {},
      expected: hex('14695981039346656037'),
    },
    {
      name: 'two labels match the Prometheus test vector',
      labels: { name: 'garland, briggs', fear: 'love is not enough' },
      expected: hex('5799056148416392346'),
    },
    {
      name: 'one label matches the Prometheus benchmark vector',
      labels: { 'first-label': 'first-label-value' },
      expected: hex('5146282821936882169'),
    },
    {
      name: 'three labels match the Prometheus benchmark vector',
      labels: {
        'third-label': 'third-label-value',
        'first-label': 'first-label-value',
        'second-label': 'second-label-value',
      },
      expected: hex('13843036195897128121'),
    },
  ])('$name', ({ labels, expected }) => {
    expect(fingerprintOf(labels)).toBe(expected);
  });

  it('does not depend on the order the labels were written in', () => {
    expect(fingerprintOf({ a: '1', b: '2' })).toBe(fingerprintOf({ b: '2', a: '1' }));
  });

  it('tells a moved separator apart (a=bc is not ab=c)', () => {
    expect(fingerprintOf({ a: 'bc' })).not.toBe(fingerprintOf({ ab: 'c' }));
  });

  it('is always 16 lowercase hex digits', () => {
    expect(fingerprintOf({ alertname: 'Ünïcødé', instance: 'host:9100' })).toMatch(/^[0-9a-f]{16}$/);
  });
});
