import { describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.js';
import type { DeployEvent, DeployRecord } from '../deploy/types.js';
import type { DeployControlRequest } from '../store/deploy-types.js';
import { answerDeployPress, type DeployPressDeps } from './deploy-press.js';

const ID = 'd-20261126T120000Z-a1b2c3';
const ALICE = { id: 'U0ALICE', name: 'alice' };
const NOW = 1_800_000_000_000;
const approve = { kind: 'deploy-approve' as const, deployId: ID };

/** Deploy records holding one deploy waiting at its first gate; `write` decides what requestControl does. */
function records(write: (r: DeployControlRequest) => Promise<void> = async () => undefined) {
  const written: DeployControlRequest[] = [];
  const record = {
    id: ID,
    env: 'production',
    status: 'waiting-approval',
    stepIndex: 0,
    owner: { pid: 1, host: 'ci-1', heartbeatAt: NOW },
  } as DeployRecord;
  const asked: DeployEvent = {
    type: 'approval-requested',
    deployId: ID,
    reason: 'deploy v2',
    timeoutAt: NOW + 60_000,
    index: 0,
  };
  const deploys: NonNullable<DeployPressDeps['deploys']> = {
    get: async (id) => (id === ID ? record : null),
    events: async () => [{ deployId: ID, seq: 1, at: NOW, event: asked }],
    requestControl: async (id, r, at) => {
      await write(r);
      written.push(r);
      return { ...r, deployId: id, seq: written.length, at };
    },
  };
  return { deploys, written };
}

const deps = (d: Partial<DeployPressDeps>): DeployPressDeps => ({ now: () => NOW, host: 'serve-1', ...d });

describe('answerDeployPress', () => {
  it('records the decided request and answers with its text', async () => {
    const r = records();
    expect(await answerDeployPress(approve, ALICE, deps({ deploys: r.deploys }))).toEqual({
      code: 'recorded',
      text: 'Approved — the deploy continues.',
      verdict: { verdict: 'approved', actor: ALICE, live: true },
    });
    expect(r.written).toEqual([{ action: 'approve', step: 0, by: 'slack:U0ALICE:alice' }]);
  });

  it('says which setting is missing when serve does not read the deploy records', async () => {
    const a = await answerDeployPress(approve, ALICE, deps({}));
    expect(a.code).toBe('deploys_not_configured');
    expect(a.text).toContain('set deploys.stateDb (env THREADER_DEPLOY_DB)');
    expect(a.text).toContain(`\`threader approve ${ID} --config <deploy config>\``);
  });

  it('a deploy that finished between the read and the write is reported as finished', async () => {
    const r = records(async () => {
      throw new ConflictError(`deploy ${ID} has already finished (aborted)`);
    });
    expect(await answerDeployPress(approve, ALICE, deps({ deploys: r.deploys }))).toEqual({
      code: 'deploy_finished',
      text: `Deploy ${ID} has just finished. Nothing was changed.`,
    });
  });

  it('a store failure is answered without its details and points at the CLI fallback', async () => {
    const r = records(async () => {
      throw new Error('SQLITE_BUSY: database is locked at /var/lib/threader/deploys.db');
    });
    const a = await answerDeployPress(
      { kind: 'deploy-reject', deployId: ID },
      ALICE,
      deps({ deploys: r.deploys }),
    );
    expect(a.code).toBe('store_error');
    expect(a.text).not.toContain('SQLITE');
    expect(a.text).toContain(`\`threader abort ${ID} --config <deploy config>\``);
  });

  it('an executor gone quiet on another host is named: the approval waits for a resume', async () => {
    const r = records();
    const later = deps({ deploys: r.deploys, now: () => NOW + 60_000 - 1 });
    const a = await answerDeployPress(approve, ALICE, later);
    expect(a.code).toBe('recorded');
    expect(a.text).toMatch(
      /^Approval recorded for deploy \S+, but its executor \(pid 1 on ci-1\) last reported 60 s ago/,
    );
    expect(a.text).toContain(`\`threader deploy --resume ${ID} --config <deploy config>\``);
  });
});
