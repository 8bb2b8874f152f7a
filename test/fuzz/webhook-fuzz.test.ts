import Database from '../../src/store/sqlite-driver.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alert, webhookBody } from '../helpers/builders.js';
import { startThreader, type TestThreader } from '../helpers/threader.js';

/**
 * Generated webhook bodies against a real server: whatever arrives, the answer is 2xx or 4xx —
 * never a 5xx, never a crash — and a refused body leaves the intake exactly as it was.
 */

type Json = unknown;

/** A body Alertmanager could have sent, then damaged in one place. */
function mutate(body: Record<string, Json>, path: readonly string[], value: Json | undefined): Json {
  if (path.length === 0) return value;
  const copy: Record<string, Json> = Array.isArray(body) ? ([...body] as never) : { ...body };
  const [head, ...rest] = path as [string, ...string[]];
  const child = copy[head];
  if (rest.length === 0 || child === null || typeof child !== 'object') {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
  } else {
    copy[head] = mutate(child as Record<string, Json>, rest, value);
  }
  return copy;
}

const paths = fc.constantFrom(
  [],
  ['version'],
  ['groupKey'],
  ['status'],
  ['receiver'],
  ['groupLabels'],
  ['groupLabels', 'alertname'],
  ['commonLabels'],
  ['commonAnnotations'],
  ['externalURL'],
  ['truncatedAlerts'],
  ['alerts'],
  ['alerts', '0'],
  ['alerts', '0', 'status'],
  ['alerts', '0', 'labels'],
  ['alerts', '0', 'labels', 'alertname'],
  ['alerts', '0', 'annotations'],
  ['alerts', '0', 'startsAt'],
  ['alerts', '0', 'endsAt'],
  ['alerts', '0', 'fingerprint'],
  ['alerts', '1'],
);

const damagedBody = fc
  .record({
    labels: fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 4 }),
    path: paths,
    value: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
  })
  .map(({ labels, path, value }) => {
    const body = webhookBody({ alerts: [alert({ labels: { alertname: 'Fuzz', ...labels } })] });
    return { raw: JSON.stringify(mutate(body, path, value) ?? null), contentType: 'application/json' };
  });

const rawBody = fc.record({
  raw: fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.constant('{"alerts": [')),
  contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', ''),
});

describe('webhook fuzzing: 1,000 generated bodies', () => {
  let t: TestThreader;
  let db: Database.Database;
  beforeAll(async () => {
    t = await startThreader();
    db = new Database(t.dbPath, { readonly: true });
  });
  afterAll(async () => {
    db.close();
    await t.close();
  });

  const intake = (): { n: number; last: number | null } =>
    db.prepare('SELECT count(*) AS n, max(id) AS last FROM notifications').get() as {
      n: number;
      last: number | null;
    };

  it('answers only 2xx or 4xx, and a refused body stores nothing', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 3, arbitrary: damagedBody }, { weight: 1, arbitrary: rawBody }),
        async (b) => {
          const before = intake();
          const headers: Record<string, string> = b.contentType ? { 'content-type': b.contentType } : {};
          const res = await fetch(`${t.url}/webhook/alertmanager`, { method: 'POST', headers, body: b.raw });
          await res.arrayBuffer();
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          expect(
            res.status >= 200 && res.status < 500,
            `status ${res.status} for ${b.raw.slice(0, 200)}`,
          ).toBe(true);
          if (res.status >= 400) expect(intake()).toEqual(before);
          else expect(intake().n).toBeGreaterThan(before.n);
        },
      ),
      { numRuns: 1_000 },
    );
    // Both sides of the property were exercised: some bodies were accepted, some refused.
    const accepted = [...seen].filter(([s]) => s < 300).reduce((a, [, n]) => a + n, 0);
    expect(accepted).toBeGreaterThan(50);
    expect(1_000 - accepted).toBeGreaterThan(50);
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
  }, 120_000);
});
