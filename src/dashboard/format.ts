/** How the dashboard writes times and durations; pure, `now` comes from the caller. */

/** "42s", "5m", "3h 12m", "2d 4h": the two largest units, enough to compare ages at a glance. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** "2026-11-26 06:01:38 UTC": one zone for everyone reading the same incident. */
export function formatTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
