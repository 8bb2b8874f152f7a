/**
 * Argument coercion. Form-encoded bodies carry every value as a string (objects as JSON strings,
 * booleans as "true"/"1"), JSON bodies carry real types; both must read the same.
 */
export type Args = Record<string, unknown>;

export type Parsed<T> = { ok: true; value: T } | { ok: false };

export function str(args: Args, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function bool(args: Args, name: string): Parsed<boolean | undefined> {
  const value = args[name];
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  if (typeof value === 'boolean') return { ok: true, value };
  if (value === 'true' || value === '1' || value === 1) return { ok: true, value: true };
  if (value === 'false' || value === '0' || value === 0) return { ok: true, value: false };
  return { ok: false };
}

export function int(args: Args, name: string): Parsed<number | undefined> {
  const value = args[name];
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isInteger(n) ? { ok: true, value: n } : { ok: false };
}

/** An object-valued argument: a real object/array (JSON body) or a JSON string (form body). */
export function jsonArg(args: Args, name: string): Parsed<unknown> {
  const value = args[name];
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  if (typeof value !== 'string') return { ok: true, value };
  try {
    return { ok: true, value: JSON.parse(value) as unknown };
  } catch {
    return { ok: false };
  }
}
