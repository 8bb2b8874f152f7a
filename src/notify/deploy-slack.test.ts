import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { narrationPlan, type NarrationFlags } from './deploy-slack.js';

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

  it('a malformed reference is a usage error naming where it came from', () => {
    expect(() => narrationPlan({}, { THREADER_SLACK_THREAD: 'general' })).toThrow(
      /THREADER_SLACK_THREAD: "general"/,
    );
    expect(() => narrationPlan({ slackThread: 'C1:nope' }, {})).toThrow(UsageError);
  });

  it('a --slack-wait that is not a duration is a usage error', () => {
    expect(() => narrationPlan({ slackWait: 'soon' }, {})).toThrow(/--slack-wait: "soon"/);
  });
});
