import { describe, expect, it } from 'vitest';
import { MemoryDeployStore, testEnv, testRecord } from '../../test/deploy/fakes.js';
import { resumedFleet, type DeploySession } from './deploy-run.js';

/** `deploy --resume` reverts to the fleet the deploy started from, not the records' later account. */
describe('the fleet a resumed deploy started from', () => {
  async function session(): Promise<DeploySession> {
    const store = new MemoryDeployStore();
    const env = testEnv();
    // The records say every instance runs v0 (the last succeeded deploy).
    await store.create(testRecord([], { id: 'd-0', env: env.name, toVersion: 'v0', status: 'succeeded' }));
    return { env, store } as unknown as DeploySession;
  }

  it('is the fleet kept on the record when the deploy was created (e.g. observed after a failed deploy)', async () => {
    const observed = { versions: { a: 'v1', b: 'v2' }, weights: { a: 1 } };
    const record = testRecord([], { id: 'd-1', fleetBefore: observed });
    expect(await resumedFleet(await session(), record)).toEqual(observed);
  });

  it("is the records' account for a record written before the fleet was kept", async () => {
    const fleet = await resumedFleet(await session(), testRecord([], { id: 'd-1' }));
    expect(fleet.versions).toMatchObject({ a: 'v0', d: 'v0' });
  });
});
