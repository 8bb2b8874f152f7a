/**
 * Slack message timestamps: `"<unix seconds>.<6 digits>"`, unique per channel and strictly increasing
 * (protocol: a message's `ts` is its ID, and `oldest`/`latest` compare them as numbers).
 * Kept as integer microseconds internally; epoch microseconds stay below 2^53 until year 2255.
 */

/** The next ts in microseconds: the clock's time, bumped past the previous one when the clock stalls. */
export function nextTsMicros(nowMs: number, lastMicros: number): number {
  const fromClock = Math.floor(nowMs) * 1000;
  return fromClock > lastMicros ? fromClock : lastMicros + 1;
}

export function formatTs(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  return `${seconds}.${String(fraction).padStart(6, '0')}`;
}

/** Parses a ts-like string ("1700000000.000100", "1700000000", "1700000000.5") to microseconds. */
export function parseTs(value: string): number | undefined {
  const match = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(value.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));
  return seconds * 1_000_000 + fraction;
}

/** Permalink path segment: Slack drops the dot, "1700000000.000100" -> "p1700000000000100". */
export function permalinkSegment(ts: string): string {
  return `p${ts.replace('.', '')}`;
}
