import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policies } from '../../src/retry/policy.js';
import { createNginxRouter } from '../../src/traffic/nginx-router.js';
import type { TrafficRouter, UpstreamServer } from '../../src/traffic/types.js';
import { startTestService, type TestService } from '../fixtures/test-service-client.js';
import { startNginx, type TestNginx } from '../helpers/nginx.js';
import { stopAll } from '../helpers/process.js';

/**
 * Timeline: two instances of the test service (v1, v2) behind a real nginx whose upstream file is
 * written only by the router under test. Each step is checked by what a client of nginx sees.
 */

let v1: TestService;
let v2: TestService;
let nginx: TestNginx;
let router: TrafficRouter;

const server = (svc: TestService, name: string, weight: number): UpstreamServer => ({
  name,
  host: '127.0.0.1',
  port: svc.port,
  weight,
});

/** Sequential requests through nginx, counted by the version that answered (or the failing status). */
async function versions(n: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${nginx.url}/`);
    await res.arrayBuffer();
    const key = res.ok ? (res.headers.get('x-version') ?? '?') : `status ${res.status}`;
    seen[key] = (seen[key] ?? 0) + 1;
  }
  return seen;
}

beforeAll(async () => {
  [v1, v2] = await Promise.all([
    startTestService({ versionLabel: 'v1', name: 'svc-a' }),
    startTestService({ versionLabel: 'v2', name: 'svc-b' }),
  ]);
  nginx = await startNginx();
  router = createNginxRouter({ spec: nginx.trafficSpec, policy: policies.instant });
});

afterAll(async () => {
  await nginx?.stop();
  await stopAll();
});

describe('nginx router against a real nginx', () => {
  it('splits traffic by the applied weights: 3:1 over 200 requests is exactly 150 v1 and 50 v2', async () => {
    expect(await router.current()).toEqual([]);
    const result = await router.apply([server(v1, 'a', 3), server(v2, 'b', 1)]);
    expect(result.changed).toBe(true);
    await nginx.waitForReloads(1);
    // One worker, smooth weighted round robin: the split is exact per cycle of 4.
    expect(await versions(200)).toEqual({ v1: 150, v2: 50 });
    expect(await router.current()).toEqual([server(v1, 'a', 3), server(v2, 'b', 1)]);
  });

  it('does not reload when the weights are unchanged', async () => {
    const before = nginx.reloads();
    const again = await router.apply([server(v2, 'b', 1), server(v1, 'a', 3)]);
    expect(again.changed).toBe(false);
    // The next real change is reload number before+1, so the unchanged apply reloaded nothing.
    await router.apply([server(v1, 'a', 1), server(v2, 'b', 1)]);
    await nginx.waitForReloads(before + 1);
    expect(nginx.reloads()).toBe(before + 1);
    expect(await versions(100)).toEqual({ v1: 50, v2: 50 });
  });

  it("rejects a config nginx cannot load with nginx's own message, keeps the old file and keeps serving it", async () => {
    const fileBefore = readFileSync(nginx.upstreamFile, 'utf8');
    const reloadsBefore = nginx.reloads();
    const bad = { name: 'ghost', host: 'no-such-host.invalid', port: 80, weight: 1 };
    const err = await router.apply([server(v1, 'a', 1), bad]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'traffic_config_rejected' });
    expect((err as Error).message).toMatch(/host not found in upstream "no-such-host\.invalid:80"/);
    expect(readFileSync(nginx.upstreamFile, 'utf8')).toBe(fileBefore);
    expect(await versions(100)).toEqual({ v1: 50, v2: 50 });
    expect(nginx.reloads()).toBe(reloadsBefore);
  });

  it('refuses an empty upstream and nginx keeps serving', async () => {
    await expect(router.apply([server(v1, 'a', 0), server(v2, 'b', 0)])).rejects.toMatchObject({
      code: 'invalid_upstream',
    });
    expect(await versions(10)).toEqual({ v1: 5, v2: 5 });
  });

  it('moves all traffic to v2 and stops v1 under steady load without a single failed request', async () => {
    const failures: string[] = [];
    let served = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        const res = await fetch(`${nginx.url}/`).catch((e: Error) => e);
        if (res instanceof Error) failures.push(res.message);
        else {
          await res.arrayBuffer();
          if (!res.ok) failures.push(`status ${res.status}`);
          served++;
        }
      }
    })();
    const before = nginx.reloads();
    await router.apply([server(v2, 'b', 1)]);
    await nginx.waitForReloads(before + 1);
    await v1.stop();
    const servedAtStop = served;
    // A reload after v1 is gone: traffic keeps flowing through the new generation of workers.
    await router.apply([server(v2, 'b', 2)]);
    await nginx.waitForReloads(before + 2);
    running = false;
    await load;
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(servedAtStop);
    expect(await versions(20)).toEqual({ v2: 20 });
  });
});
