import pg from 'pg';

/**
 * Leases and heartbeats keep time on the database's clock (src/store/postgres-leases.ts), which a
 * test cannot fake: instead every stored lease expiry and heartbeat is moved `ms` into the past —
 * to the store, exactly as if `ms` had passed with nobody renewing anything.
 */
export async function advanceDbClock(url: string, ms: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('UPDATE leases SET expires_at = expires_at - $1', [ms]);
    await c.query('UPDATE replicas SET seen_at = seen_at - $1', [ms]);
  } finally {
    await c.end();
  }
}

/**
 * Outbox claims and button-press claims are timed on the database's clock too (postgres-outbox.ts,
 * postgres-interactions.ts): every claim is moved `ms` into the past, as if the call behind it had
 * been running that long.
 */
export async function ageClaims(url: string, ms: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('UPDATE outbox SET claimed_at = claimed_at - $1 WHERE claimed_at IS NOT NULL', [ms]);
    await c.query('UPDATE slack_actions SET claimed_at = claimed_at - $1 WHERE claimed_at IS NOT NULL', [ms]);
  } finally {
    await c.end();
  }
}
