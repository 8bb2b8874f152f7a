import { describe, expect, it } from 'vitest';
import type { DeployRecord, EnvironmentSpec } from '../deploy/types.js';
import { UsageError } from '../errors.js';
import type { GuardContext } from '../guard/guard.js';
import {
  followUndone,
  narrationPlan,
  openNarration,
  rollbackPlan,
  type NarrationFlags,
  type NarrationPlan,
  type NarrationSetup,
} from './deploy-slack.js';

describe('narrationPlan', () => {
  const ref = { channel: 'C0DEPLOY', ts: '1700000000.000100' };
  const cases: Array<[string, NarrationFlags, Record<string, string>, unknown]> = [
    ['by default it narrates and waits 30 s at the end', {}, {}, { waitMs: 30_000, off: false }],
    [
      '--slack-thread adopts the pipeline thread',
      { slackThread: 'C0DEPLOY:1700000000.000100' },
      {},
      { waitMs: 30_000, off: false, adopt: ref },
    ],
    [
      'THREADER_SLACK_THREAD does the same for a pipeline that exported it',
      {},
      { THREADER_SLACK_THREAD: 'C0DEPLOY:1700000000.000100' },
      { waitMs: 30_000, off: false, adopt: ref },
    ],
    ['--slack-wait 0 does not wait at all', { slackWait: '0' }, {}, { waitMs: 0, off: false }],
    ['--no-slack turns narration off', { slack: false, slackWait: '2m' }, {}, { waitMs: 120_000, off: true }],
    [
      '--json keeps stderr quiet when Slack is not set up',
      { json: true },
      {},
      { waitMs: 30_000, off: false, quiet: true },
    ],
  ];
  it.each(cases)('%s', (_name, flags, env, expected) => {
    expect(narrationPlan(flags, env)).toEqual(expected);
  });

  it('a malformed --slack-thread is a usage error: the person typing it can fix it', () => {
    expect(() => narrationPlan({ slackThread: 'C1:nope' }, {})).toThrow(UsageError);
    expect(() => narrationPlan({ slackThread: 'general' }, {})).toThrow(/--slack-thread: "general"/);
  });

  it('a malformed $THREADER_SLACK_THREAD does not stop the deploy: it is said, and the deploy narrates in a new thread', () => {
    const plan = narrationPlan({}, { THREADER_SLACK_THREAD: 'general' });
    expect(plan).toEqual({
      waitMs: 30_000,
      off: false,
      warning: expect.stringContaining('THREADER_SLACK_THREAD: "general"'),
    });
    expect(plan.warning).toContain('narrating in a new thread instead');
  });

  it('an empty --slack-thread (the pipeline’s "$THREADER_SLACK_THREAD" with no thread opened) narrates in a new thread', () => {
    expect(narrationPlan({ slackThread: '' }, {})).toEqual({ waitMs: 30_000, off: false });
  });

  it('a --slack-wait that is not a duration is a usage error', () => {
    expect(() => narrationPlan({ slackWait: 'soon' }, {})).toThrow(/--slack-wait: "soon"/);
  });
});

describe('followUndone (where `threader rollback` narrates without a thread given)', () => {
  const base: NarrationPlan = { waitMs: 30_000, off: false };
  const failed = { threadRef: 'C0DEPLOY:1700000000.000100' };
  const older = { threadRef: 'C0DEPLOY:1690000000.000200' };
  const cases: Array<[string, NarrationPlan, Array<{ threadRef?: string } | null>, NarrationPlan]> = [
    [
      'the rollback printed by a failed deploy replies under that deploy’s thread',
      base,
      [null, failed, older],
      { ...base, follow: { channel: 'C0DEPLOY', ts: '1700000000.000100' } },
    ],
    [
      'the live deploy it aborted comes first',
      base,
      [older, failed],
      { ...base, follow: { channel: 'C0DEPLOY', ts: '1690000000.000200' } },
    ],
    [
      'the deploy rollbackOf names, when nothing newer is known',
      base,
      [null, null, older],
      { ...base, follow: { channel: 'C0DEPLOY', ts: '1690000000.000200' } },
    ],
    ['a deploy it undoes that had no thread: a new thread', base, [null, {}, older], base],
    ['no deploy at all: a new thread', base, [null, null, null], base],
    [
      'a thread given by --slack-thread or the environment wins',
      { ...base, adopt: { channel: 'C0PIPE', ts: '1700000001.000100' } },
      [failed],
      { ...base, adopt: { channel: 'C0PIPE', ts: '1700000001.000100' } },
    ],
    ['--no-slack stays off', { waitMs: 0, off: true }, [failed], { waitMs: 0, off: true }],
    ['a record whose thread is no reference: a new thread', base, [{ threadRef: 'junk' }], base],
  ];
  it.each(cases)('%s', (_name, plan, undone, expected) => {
    expect(followUndone(plan, undone)).toEqual(expected);
  });
});

describe('followUndone with the local thread store (Slack was down when the undone deploy ran)', () => {
  const base: NarrationPlan = { waitMs: 30_000, off: false };
  const flushed = { channel: 'C0DEPLOY', ts: '1700000000.000300' };
  const local = new Map([['d-down', flushed]]);
  const cases: Array<[string, Array<{ id?: string; threadRef?: string } | null>, NarrationPlan]> = [
    [
      'a deploy whose record has no thread, but whose thread flush posted from this store, is followed',
      [null, { id: 'd-down' }],
      { ...base, follow: flushed },
    ],
    [
      'a thread on the record wins over the local store',
      [{ id: 'd-down', threadRef: 'C0DEPLOY:1690000000.000200' }],
      { ...base, follow: { channel: 'C0DEPLOY', ts: '1690000000.000200' } },
    ],
    [
      'the first deploy it undoes decides: an older one’s thread is not borrowed',
      [{ id: 'd-queued' }, { id: 'd-down' }],
      base,
    ],
  ];
  it.each(cases)('%s', (_name, undone, expected) => {
    expect(followUndone(base, undone, local)).toEqual(expected);
  });
});

describe('rollbackPlan', () => {
  const base: NarrationPlan = { waitMs: 30_000, off: false };
  it('says it is a rollback, follows a thread the record names, and keeps what it may undo for the local look-up', () => {
    const plan = rollbackPlan(base, [
      null,
      { id: 'd-2', threadRef: 'C0DEPLOY:1700000000.000100' },
      { id: 'd-1' },
    ]);
    expect(plan).toEqual({
      ...base,
      rollback: true,
      follow: { channel: 'C0DEPLOY', ts: '1700000000.000100' },
      undoes: [{ id: 'd-2', threadRef: 'C0DEPLOY:1700000000.000100' }, { id: 'd-1' }],
    });
  });

  it('with --no-slack there is nothing to say', () => {
    expect(rollbackPlan({ waitMs: 0, off: true }, [{ id: 'd-1' }])).toEqual({ waitMs: 0, off: true });
  });
});

describe('openNarration without Slack set up', () => {
  const env = { name: 'staging' } as EnvironmentSpec;
  const setupFor = (plan: NarrationPlan, said: string[]): NarrationSetup => ({
    plan,
    env,
    deploys: { get: async () => null, update: async () => ({}) as DeployRecord, list: async () => [] },
    guard: {} as GuardContext,
    configPath: 'deploy.yaml',
    processEnv: {},
    say: (line) => void said.push(line),
  });
  const record = { id: 'd-rb', env: 'staging' } as DeployRecord;

  it.each([
    ['a deploy', narrationPlan({ json: true }, {})],
    ['a rollback with deploys it may undo', rollbackPlan(narrationPlan({ json: true }, {}), [{ id: 'd-1' }])],
  ])('%s with --json says nothing and opens nothing', async (_name, plan) => {
    const said: string[] = [];
    expect(await openNarration(setupFor(plan, said), record)).toBeUndefined();
    expect(said).toEqual([]);
  });

  it('without --json it says there is no channel', async () => {
    const said: string[] = [];
    const plan = rollbackPlan(narrationPlan({}, {}), [{ id: 'd-1' }]);
    expect(await openNarration(setupFor(plan, said), record)).toBeUndefined();
    expect(said.join('')).toMatch(/no Slack thread for this deploy/);
  });
});
