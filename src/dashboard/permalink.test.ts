import { describe, expect, it } from 'vitest';
import { slackPermalink, workspaceUrlCache } from './permalink.js';

describe('slackPermalink', () => {
  const cases: Array<[string, Parameters<typeof slackPermalink>, string]> = [
    [
      'a parent links into the workspace auth.test named',
      ['https://acme.slack.com/', 'C0ALERTS', '1700000000.000100'],
      'https://acme.slack.com/archives/C0ALERTS/p1700000000000100',
    ],
    [
      'a reply carries its parent and channel',
      ['https://acme.slack.com/', 'C1', '1700000001.000200', '1700000000.000100'],
      'https://acme.slack.com/archives/C1/p1700000001000200?thread_ts=1700000000.000100&cid=C1',
    ],
    [
      'without a workspace URL the link goes through slack.com',
      [undefined, 'C1', '1700000000.000100'],
      'https://slack.com/archives/C1/p1700000000000100',
    ],
    [
      'the embedded local Slack links to its own pages',
      ['http://127.0.0.1:4000', 'C1', '1700000000.000100'],
      'http://127.0.0.1:4000/archives/C1/p1700000000000100',
    ],
  ];
  it.each(cases)('%s', (_name, args, expected) => {
    expect(slackPermalink(...args)).toBe(expected);
  });
});

describe('workspaceUrlCache', () => {
  it('asks auth.test once and remembers the answer', async () => {
    let calls = 0;
    const get = workspaceUrlCache(
      async () => ({ url: `https://acme.slack.com/${++calls}` }),
      () => 0,
    );
    expect(await get()).toBe('https://acme.slack.com/1');
    expect(await get()).toBe('https://acme.slack.com/1');
  });

  it('after a failure waits before asking again', async () => {
    let now = 0;
    let fail = true;
    let calls = 0;
    const get = workspaceUrlCache(
      async () => {
        calls++;
        if (fail) throw new Error('slack down');
        return { url: 'https://acme.slack.com/' };
      },
      () => now,
      60_000,
    );
    expect(await get()).toBeUndefined();
    fail = false;
    now = 30_000;
    expect(await get()).toBeUndefined();
    expect(calls).toBe(1);
    now = 61_000;
    expect(await get()).toBe('https://acme.slack.com/');
  });
});
