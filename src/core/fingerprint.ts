/**
 * The fingerprint of a label set, for senders that omit `fingerprint`.
 *
 * It reproduces Prometheus' `model.LabelSet.Fingerprint()` (prometheus/common model/signature.go),
 * which Alertmanager uses for `alerts[].fingerprint`: FNV-1a 64 over the label pairs sorted by name,
 * each name and value followed by the separator byte 0xff, printed as 16 hex digits. Matching it
 * keeps `alert`-mode thread keys stable when the same alert arrives once with and once without a
 * fingerprint. Label names sort by their UTF-8 bytes, as Go's sort.Strings does.
 */

const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
const SEPARATOR_BYTE = 0xff;

const utf8 = new TextEncoder();

export function fingerprintOf(labels: Record<string, string>): string {
  const names = Object.keys(labels)
    .map((name) => ({ name, bytes: utf8.encode(name) }))
    .sort((a, b) => compareBytes(a.bytes, b.bytes));
  let hash = FNV_OFFSET_64;
  const add = (byte: number): void => {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME_64) & MASK_64;
  };
  for (const { name, bytes } of names) {
    for (const byte of bytes) add(byte);
    add(SEPARATOR_BYTE);
    for (const byte of utf8.encode(labels[name] ?? '')) add(byte);
    add(SEPARATOR_BYTE);
  }
  return hash.toString(16).padStart(16, '0');
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
