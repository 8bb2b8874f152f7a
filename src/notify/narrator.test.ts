import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTION_IDS, DEPLOY_APPROVAL_BLOCK_ID } from '../actions/button-ids.js';
import { MemoryDeployStore, testRecord } from '../../test/deploy/fakes.js';
import { canarySteps } from '../deploy/executor-fixtures.test-suite.js';
import type { DeployEvent, DeployRecord } from '../deploy/types.js';
import { SlackApiError } from '../errors.js';
import { engineRig, type EngineRig } from '../slack/engine-rig.test-suite.js';
import { watchParents, type ParentListener } from '../slack/session.js';
import { ThreadEngine } from '../slack/thread-engine.js';
import type { PostMessageArgs } from '../slack/types.js';
import type { ThreadStore } from '../store/types.js';
import { deployRenderer } from './deploy-renderer.js';
import { DeployNarrator, deployThreadId } from './narrator.js';

const before = { versions: { a: 'v1', b: 'v1', c: 'v1', d: 'v1' }, weights: { a: 1, b: 1, c: 1, d: 1 } };
const versions = { a: 'v1', b: 'v1', c: 'v1', d: 'v2' };

/** A successful canary's events from `from` on, as the executor emits them. */
function canaryEvents(from = 0): DeployEvent[] {
  const out: DeployEvent[] = [];
  canarySteps.forEach((step, index) => {
    if (index < from) return;
    out.push({ type: 'step-started', deployId: 'd-1', index, step });
    if (step.kind === 'set-weight')
      out.push({
        type: 'weights-set',
        deployId: 'd-1',
        weights: step.weights,
        ...(step.requestedPercent !== undefined ? { requestedPercent: step.requestedPercent } : {}),
        versions: index > 2 ? versions : before.versions,
      });
    if (step.kind === 'analyse')
      out.push({ type: 'analysis', deployId: 'd-1', index, outcome: 'Successful', judgements: [] });
    out.push({ type: 'step-finished', deployId: 'd-1', index, step, detail: `step ${index} done` });
  });
  out.push({ type: 'deploy-finished', deployId: 'd-1', status: 'succeeded' });
  return out;
}

describe('DeployNarrator', () => {
  let rig: EngineRig;
  let deploys: MemoryDeployStore;
  let record: DeployRecord;
  const warnings: string[] = [];

  beforeEach(async () => {
    const base = await engineRig();
    // The deploy renderer reads the rig's own store: an engine of its own over it.
    rig = {
      ...base,
      engine: new ThreadEngine({
        store: base.store,
        client: base.slack,
        clock: base.clock,
        renderers: { deploy: deployRenderer(base.store) },
        policy: { attempts: 5, baseMs: 1_000, maxDelayMs: 8_000, jitter: 'none' },
      }),
    };
    deploys = new MemoryDeployStore();
    record = testRecord(canarySteps, { fleetBefore: before, createdAt: rig.clock.now() });
    deploys.records.set(record.id, record);
    warnings.length = 0;
    await rig.engine.start();
  });
  afterEach(() => rig.engine.stop());

  function narrator(over: Partial<ConstructorParameters<typeof DeployNarrator>[0]> = {}) {
    return new DeployNarrator({
      slack: { store: rig.store, kick: () => rig.engine.kick() },
      deploys,
      channel: 'C1',
      config: 'deploy.yaml',
      now: () => rig.clock.now(),
      warn: (m) => warnings.push(m),
      refPollMs: 60_000,
      ...over,
    });
  }

  async function tell(n: DeployNarrator, events: DeployEvent[]) {
    for (const e of events) n.listener(e);
    await n.settled();
    await rig.clock.advance(60_000);
    await n.saveRef();
    n.stopPolling();
  }

  const parents = () => rig.slack.messages.filter((m) => !m.thread_ts);
  const replies = () => rig.slack.messages.filter((m) => m.thread_ts);

  it('tells a deploy in one thread: one parent, the replies under it in order, the card edited to the end, the thread on the record', async () => {
    const n = narrator();
    await n.begin(record);
    await tell(n, canaryEvents());
    expect(parents()).toHaveLength(1);
    const parent = parents()[0]!;
    expect(parent.channel).toBe('C1');
    expect(parent.text).toContain('succeeded');
    expect(replies().every((r) => r.thread_ts === parent.ts)).toBe(true);
    expect(replies().map((r) => r.text.split(' ')[0])).toEqual([
      ':balance_scale:', // 1/7 weights without d
      ':heavy_check_mark:', // drain
      ':heavy_check_mark:', // start
      ':stethoscope:',
      ':balance_scale:',
      ':white_check_mark:', // analysis
      ':balance_scale:',
      ':white_check_mark:', // finished
    ]);
    expect(deploys.records.get('d-1')?.threadRef).toBe(`C1:${parent.ts}`);
    expect(n.failures).toBe(0);
    expect(await n.caughtUp()).toBe(true);
  });

  it('narrates an approval request as a reply whose Approve / Reject buttons answer its own gate, the fallback commands beside them', async () => {
    const n = narrator();
    await n.begin(record);
    await tell(n, [
      {
        type: 'approval-requested',
        deployId: 'd-1',
        reason: 'deploy v2 to production',
        timeoutAt: rig.clock.now() + 3_600_000,
        index: 2,
        approvers: ['U0ALICE'],
      },
    ]);
    // MemorySlack keeps the text of a message; its blocks are in the call as sent.
    const [request] = rig.slack.calls
      .filter((c) => c.method === 'chat.postMessage')
      .map((c) => c.args as PostMessageArgs)
      .filter((a) => a.thread_ts);
    expect(request?.thread_ts).toBe(parents()[0]?.ts);
    const actions = (request?.blocks ?? []).filter((b) => b.type === 'actions');
    expect(actions.map((b) => b.block_id)).toEqual([DEPLOY_APPROVAL_BLOCK_ID]);
    const buttons = (actions[0]?.elements ?? []) as Array<{ action_id: string; value: string }>;
    expect(buttons.map((e) => [e.action_id, e.value])).toEqual([
      [ACTION_IDS.deployApprove, 'd-1@2'],
      [ACTION_IDS.deployReject, 'd-1@2'],
    ]);
    const shown = JSON.stringify(request?.blocks);
    expect(shown).toContain('threader approve d-1 --config deploy.yaml');
    expect(shown).toContain('threader abort d-1 --config deploy.yaml');
    expect(shown).toContain('<@U0ALICE>');
  });

  it('a resumed deploy finds its thread again: no second parent, the replies go on under the first', async () => {
    const first = narrator();
    await first.begin(record);
    await tell(first, canaryEvents().slice(0, 6));
    const resumed = narrator();
    await resumed.begin({ ...deploys.records.get('d-1')!, stepIndex: 3 });
    await tell(resumed, canaryEvents(3));
    expect(parents()).toHaveLength(1);
    expect(new Set(replies().map((r) => r.thread_ts))).toEqual(new Set([parents()[0]!.ts]));
    expect(parents()[0]!.text).toContain('succeeded');
  });

  it('a resume on a runner with another thread store replies into the thread the record names', async () => {
    const posted = await rig.slack.postMessage({ channel: 'C9', text: 'earlier parent' });
    const n = narrator();
    await n.begin({ ...record, threadRef: `C9:${posted.ts}`, stepIndex: 6 });
    await tell(n, canaryEvents(6));
    expect(parents()).toHaveLength(1);
    expect(parents()[0]!.text).toContain('succeeded');
    expect(replies().every((r) => r.channel === 'C9' && r.thread_ts === posted.ts)).toBe(true);
  });

  it('adopts the pipeline thread: its parent becomes the card and the record names it at once', async () => {
    const posted = await rig.slack.postMessage({ channel: 'C7', text: 'pipeline #12' });
    const n = narrator({ adopt: { channel: 'C7', ts: posted.ts } });
    await n.begin(record);
    expect(deploys.records.get('d-1')?.threadRef).toBe(`C7:${posted.ts}`);
    await tell(n, canaryEvents().slice(0, 2));
    expect(parents()).toHaveLength(1);
    expect(parents()[0]!.text).toContain('running');
    expect(replies().map((r) => r.thread_ts)).toEqual([posted.ts]);
  });

  it('a rollback following the thread of the deploy it undoes replies under it and leaves that deploy’s card as the parent', async () => {
    const posted = await rig.slack.postMessage({ channel: 'C7', text: 'deploy d-0 failed' });
    const n = narrator({ follow: { channel: 'C7', ts: posted.ts } });
    await n.begin(record);
    await tell(n, canaryEvents());
    expect(parents()).toHaveLength(1);
    expect(parents()[0]!.text).toBe('deploy d-0 failed');
    expect(rig.slack.calls.filter((c) => c.method === 'chat.update')).toEqual([]);
    expect(replies()).toHaveLength(8);
    expect(replies().every((r) => r.channel === 'C7' && r.thread_ts === posted.ts)).toBe(true);
    expect(deploys.records.get('d-1')?.threadRef).toBe(`C7:${posted.ts}`);
  });

  it('a rollback under the thread it undoes opens by saying it is a rollback and ends as one; a resume does not say it again', async () => {
    const posted = await rig.slack.postMessage({ channel: 'C7', text: 'deploy d-0 succeeded' });
    const n = narrator({ follow: { channel: 'C7', ts: posted.ts }, rollback: true });
    await n.begin(record);
    await tell(n, canaryEvents().slice(0, 6));
    const resumed = narrator({ follow: { channel: 'C7', ts: posted.ts } });
    await resumed.begin({ ...deploys.records.get('d-1')!, stepIndex: 3, rollback: true });
    await tell(resumed, canaryEvents(3));
    const texts = replies().map((r) => r.text);
    expect(texts[0]).toBe(':leftwards_arrow_with_hook: rollback `d-1` by alice: `v1` → `v2`');
    expect(texts.filter((t) => t.includes('rollback `d-1`'))).toHaveLength(1);
    expect(texts.at(-1)).toMatch(/^:white_check_mark: rollback succeeded: `v2` after/);
    expect(parents()).toHaveLength(1);
  });

  it('records the thread on the deploy the moment the engine saved the parent, before any event or poll', async () => {
    const listeners = new Set<ParentListener>();
    const store = watchParents(rig.store, listeners);
    await rig.engine.stop();
    const engine = new ThreadEngine({
      store,
      client: rig.slack,
      clock: rig.clock,
      renderers: { deploy: deployRenderer(store) },
      policy: { attempts: 5, baseMs: 1_000, maxDelayMs: 8_000, jitter: 'none' },
    });
    await engine.start();
    const n = narrator({
      slack: {
        store,
        kick: () => engine.kick(),
        onParentPosted: (l) => (listeners.add(l), () => listeners.delete(l)),
      },
    });
    await n.begin(record);
    await vi.waitFor(() => expect(deploys.records.get('d-1')?.threadRef).toMatch(/^C1:\d+\.\d+$/));
    expect(deploys.records.get('d-1')?.threadRef).toBe(`C1:${parents()[0]!.ts}`);
    n.stopPolling();
    expect(listeners.size).toBe(0);
    await engine.stop();
  });

  it('a Slack outage delays the thread but every reply arrives, in order, under one parent', async () => {
    rig.slack.failNext('chat.postMessage', new SlackApiError('internal_error', 'chat.postMessage'), {
      times: 3,
    });
    const n = narrator();
    await n.begin(record);
    await tell(n, canaryEvents());
    await rig.clock.advance(120_000);
    expect(parents()).toHaveLength(1);
    expect(replies()).toHaveLength(8);
    expect(await n.caughtUp()).toBe(true);
  });

  it('a store that fails never throws into the executor: the problem is logged and counted', async () => {
    const broken = {
      ...rig.store,
      getThread: () => Promise.reject(new Error('disk full')),
      openThread: () => Promise.reject(new Error('disk full')),
      enqueue: () => Promise.reject(new Error('disk full')),
      outbox: () => Promise.reject(new Error('disk full')),
    } as unknown as ThreadStore;
    const n = narrator({ slack: { store: broken, kick: () => undefined } });
    await expect(n.begin(record)).resolves.toBeUndefined();
    expect(() => canaryEvents().forEach(n.listener)).not.toThrow();
    await n.settled();
    expect(n.failures).toBeGreaterThan(1);
    expect(warnings[0]).toBe('Slack narration: could not open the Slack thread: disk full');
    expect(rig.slack.messages).toHaveLength(0);
  });

  it('without a channel, a thread or a reference nothing is opened', async () => {
    const n = narrator({ channel: undefined });
    await n.begin(record);
    await tell(n, canaryEvents().slice(0, 3));
    expect(await rig.store.getThread(deployThreadId('d-1'))).toBeNull();
    expect(rig.slack.messages).toHaveLength(0);
  });
});
