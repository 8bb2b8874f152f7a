import { describe, expect, it } from 'vitest';
import { testRecord } from '../../test/deploy/fakes.js';
import { ACTION_IDS, DEPLOY_APPROVAL_BLOCK_ID } from '../actions/button-ids.js';
import { canarySteps } from '../deploy/executor-fixtures.test-suite.js';
import { SqliteStore } from '../store/sqlite.js';
import type { ThreadRecord } from '../store/types.js';
import { cardOf, type DeployCard } from './deploy-card.js';
import { renderReply } from './deploy-reply-render.js';
import type { DeployReply } from './deploy-reply.js';
import { deployRenderer, renderCard } from './deploy-renderer.js';

const card = (over: Partial<DeployCard> = {}): DeployCard => ({
  ...cardOf(testRecord(canarySteps), { config: '/etc/threader/deploy.yaml' }),
  ...over,
});
/** Every text a rendered message shows, joined: what a reader sees, entities and all. */
const shown = (msg: unknown): string => JSON.stringify(msg);

describe('the deploy card', () => {
  it('shows service, versions, environment, status, step, traffic and the status command', () => {
    const msg = renderCard(
      card({
        status: 'running',
        traffic: [{ version: 'v1', weight: 9, percent: 90, instances: ['a'] }],
      }),
    );
    const text = shown(msg);
    expect(msg.text).toBe(':arrows_counterclockwise: svc v1 → v2 to production: running');
    expect(text).toContain('*svc* `v1` → `v2` to *production*: *running*');
    expect(text).toContain('*Step*\\n1/7: weights a=1 b=1 c=1');
    expect(text).toContain('`v1` 90 %');
    expect(text).toContain('`threader status d-1 --config /etc/threader/deploy.yaml`');
  });

  it('a rollback in a thread of its own says so in its title, and names the deploy it rolls back', () => {
    const msg = renderCard(
      card({ rollback: true, rollbackOf: 'd-undone', from: 'v2.6', to: 'v2', status: 'succeeded' }),
    );
    expect(msg.text).toBe(':white_check_mark: rollback of svc v2.6 → v2 to production: succeeded');
    expect(shown(msg)).toContain('*Rollback* of *svc* `v2.6` → `v2` to *production*: *succeeded*');
    expect(shown(msg)).toContain('*Rolls back*\\n`d-undone`');
  });

  it('escapes what a config or a person wrote, so nobody is mentioned by a reason', () => {
    const text = shown(renderCard(card({ reason: 'hotfix <!channel> & <@U123>', service: '<svc>' })));
    expect(text).toContain('hotfix &lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(text).toContain('*&lt;svc&gt;*');
    expect(text).not.toContain('<!channel>');
  });

  it('mentions a Slack approver and shows a pending approval with its fallback command', () => {
    const waiting = shown(
      renderCard(card({ status: 'waiting-approval', approval: { reason: 'production', timeoutAt: 0 } })),
    );
    expect(waiting).toContain('*Waiting for approval*: production');
    expect(waiting).toContain('`threader approve d-1 --config /etc/threader/deploy.yaml`');
    expect(shown(renderCard(card({ approvedBy: 'slack:U0ALICE:alice' })))).toContain('<@U0ALICE>');
  });

  it('a failed deploy shows where it failed and the locked guard', () => {
    const text = shown(
      renderCard(
        card({
          status: 'rolled-back',
          failure: 'step 6 of 7 (analyse): bad',
          guardLocked: true,
          finishedAt: 65_000,
        }),
      ),
    );
    expect(text).toContain(':leftwards_arrow_with_hook:');
    expect(text).toContain('*Failed* at step 6 of 7 (analyse): bad');
    expect(text).toContain('guard window is locked');
    expect(text).toContain('(1 min 5 s)');
  });
});

describe('deploy replies', () => {
  const failure: DeployReply = {
    type: 'failure',
    deployId: 'd-1',
    service: 'svc',
    env: 'production',
    to: 'v2-bad',
    from: 'v1',
    at: { number: 6, total: 7 },
    kind: 'analyse',
    message: 'analysis "canary at 10%" Failed',
    checks: [
      {
        check: 'http_5xx_ratio',
        outcome: 'Failed',
        value: 0.2,
        comparator: '<=',
        threshold: 0.01,
        message: '20% <= 1%',
        query: 'sum(rate(http_requests_total{code=~"5.."}[1m])) > 0',
      },
    ],
    rollingBack: 'traffic goes back to v1 first',
    rollbackCommand: "threader rollback --config '/etc/my deploy.yaml' --env production --to v1",
  };

  it('a failure is broadcast with the failing check, its value, threshold and query, and the rollback command as a code block', () => {
    const msg = renderReply(failure);
    expect(msg.broadcast).toBe(true);
    const text = shown(msg);
    expect(text).toContain('failed* at step 6/7 (analyse)');
    expect(text).toContain('*http_5xx_ratio* :x: 20% &lt;= 1% — value 0.2, threshold &lt;= 0.01');
    expect(text).toContain('sum(rate(http_requests_total{code=~\\"5..\\"}[1m])) &gt; 0');
    expect(text).toContain(
      "```\\nthreader rollback --config '/etc/my deploy.yaml' --env production --to v1\\n```",
    );
    expect(text).toContain('*Rolling back:* traffic goes back to v1 first');
  });

  it('other replies are not broadcast', () => {
    expect(renderReply({ type: 'approved', by: 'alice' }).broadcast).toBeUndefined();
  });

  it('an approval request carries Approve and Reject buttons naming the deploy and its gate, and the CLI fallback', () => {
    const msg = renderReply({
      type: 'approval-requested',
      deployId: 'd-1',
      reason: 'production needs an approval',
      timeoutAt: 3_600_000,
      step: 6,
      approvers: ['U0ALICE', '<!channel>'],
      approveCommand: 'threader approve d-1 --config deploy.yaml',
      abortCommand: 'threader abort d-1 --config deploy.yaml',
    });
    const actions = msg.blocks?.find((b) => b.type === 'actions') as {
      block_id: string;
      elements: Array<{ action_id: string; value: string; style: string }>;
    };
    expect(actions.block_id).toBe(DEPLOY_APPROVAL_BLOCK_ID);
    expect(actions.elements.map((e) => [e.action_id, e.value, e.style])).toEqual([
      [ACTION_IDS.deployApprove, 'd-1@6', 'primary'],
      [ACTION_IDS.deployReject, 'd-1@6', 'danger'],
    ]);
    const text = shown(msg);
    expect(text).toContain('`threader approve d-1 --config deploy.yaml`');
    expect(text).toContain('Only <@U0ALICE>, &lt;!channel&gt; may answer here.');
  });

  const lines: Array<[string, DeployReply, string]> = [
    [
      'a weight change says requested and effective share and who gets the traffic',
      {
        type: 'weight-set',
        at: { number: 5, total: 7 },
        requestedPercent: 10,
        effectivePercent: 11.1,
        traffic: [
          { version: 'v1', weight: 8, percent: 88.9, instances: [] },
          { version: 'v2', weight: 1, percent: 11.1, instances: [] },
        ],
      },
      ':balance_scale: 5/7 weight set to 10 % (effective 11.1 %): `v1` 88.9 % · `v2` 11.1 %',
    ],
    [
      'an approval by a Slack user mentions them',
      { type: 'approved', by: 'slack:U0ALICE:alice' },
      ':white_check_mark: approved by <@U0ALICE>',
    ],
    [
      'a rejection in Slack says who and why',
      { type: 'stopped', by: 'slack:U0BOB:bob', reason: 'rejected in Slack by @bob', message: '' },
      ':octagonal_sign: stopped by <@U0BOB>: rejected in Slack by @bob — traffic goes back to the stable version',
    ],
    [
      'a passed health gate names its instances',
      { type: 'health-gate-passed', at: { number: 4, total: 7 }, instances: ['svc-d'] },
      ':stethoscope: 4/7 health gate passed: svc-d',
    ],
    [
      'the end says the status and how long it took',
      { type: 'finished', status: 'succeeded', to: 'v2', from: 'v1', durationMs: 75_000 },
      ':white_check_mark: deploy succeeded: `v2` after 1 min 15 s',
    ],
    [
      'a rollback ends as a rollback, not as a deploy, under the deploy it undid',
      { type: 'finished', status: 'succeeded', to: 'v2', from: 'v2.6', durationMs: 12_000, rollback: true },
      ':white_check_mark: rollback succeeded: `v2` after 12 s',
    ],
    [
      'a rollback opens by naming itself, who ran it, from what to what, why and what it undoes',
      {
        type: 'rollback-started',
        deployId: 'd-rb',
        by: 'slack:U0ALICE:alice',
        from: 'v2.6',
        to: 'v2',
        reason: 'v2.6 leaks <memory>',
        rollbackOf: 'd-undone',
        statusCommand: 'threader status d-rb --config deploy.yaml',
      },
      ':leftwards_arrow_with_hook: rollback `d-rb` by <@U0ALICE>: `v2.6` → `v2` (v2.6 leaks &lt;memory&gt;), undoing `d-undone`',
    ],
  ];
  it.each(lines)('%s', (_name, reply, expected) => {
    expect(renderReply(reply).text).toBe(expected);
  });

  it('a rollback that locked the guard says how the lock is released and how to look at it', () => {
    const text = shown(
      renderReply({
        type: 'rollback-finished',
        guardLocked: true,
        lock: {
          until: '2026-11-26T10:00:00.000Z',
          mode: 'slo',
          healthyEvaluations: 3,
          reason: 'deploy d-1 rolled back',
        },
        guardStatusCommand: 'THREADER_GUARD_FILE=/run/guard threader guard status',
      }),
    );
    expect(text).toContain('*The guard window is locked* (deploy d-1 rolled back)');
    expect(text).toContain('once 3 consecutive evaluations of the SLOs');
    expect(text).toContain('`THREADER_GUARD_FILE=/run/guard threader guard status`');
  });

  it('a rollback’s opening reply carries its own status command: the parent may be another deploy’s card', () => {
    const text = shown(
      renderReply({
        type: 'rollback-started',
        deployId: 'd-rb',
        by: 'alice',
        from: 'v2.6',
        to: 'v2',
        statusCommand: 'threader status d-rb --config deploy.yaml',
      }),
    );
    expect(text).toContain('`threader status d-rb --config deploy.yaml`');
  });

  it('a failed rollback is headed as one', () => {
    expect(shown(renderReply({ ...failure, rollback: true }))).toContain('*Rollback of svc');
  });

  it('a reply too long for Slack is cut to its limits', () => {
    const msg = renderReply({ ...failure, message: 'x'.repeat(10_000) });
    const section = msg.blocks?.[0] as { text: { text: string } };
    expect(section.text.text.length).toBeLessThanOrEqual(3_000);
    expect(section.text.text).toMatch(/…truncated$/);
  });
});

describe('deployRenderer', () => {
  it('draws the parent from the newest card queued for the thread, else from the thread state', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    const first = card();
    await store.openThread({
      id: 'deploy:d-1',
      kind: 'deploy',
      threadKey: 'deploy:d-1',
      channel: 'C1',
      parentTs: null,
      state: first,
      now: 0,
    });
    const renderer = deployRenderer(store);
    const thread = (await store.getThread<unknown>('deploy:d-1')) as ThreadRecord<unknown>;
    const data0 = await renderer.load?.(thread);
    expect(renderer.parent(thread, { now: 0, data: data0 }).text).toContain('running');
    await store.enqueue('deploy:d-1', 'update_parent', card({ status: 'paused' }), 1);
    await store.enqueue('deploy:d-1', 'reply', { type: 'approved', by: 'x' }, 2);
    await store.enqueue('deploy:d-1', 'update_parent', card({ status: 'succeeded' }), 3);
    const data = await renderer.load?.(thread);
    expect(renderer.parent(thread, { now: 0, data }).text).toContain('succeeded');
    await store.close();
  });
});
