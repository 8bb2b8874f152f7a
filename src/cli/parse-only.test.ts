import { describe, expect, it, vi } from 'vitest';
import { parseOnly } from './main.js';

describe('parseOnly: the real CLI parses a command line and runs nothing', () => {
  it.each([
    [
      'a deploy with its required options',
      ['deploy', '--config', 'x.yaml', '--env', 'staging', 'v2'],
      'deploy',
    ],
    ['a nested command', ['guard', 'status', '--lock-file', '/tmp/x'], 'guard status'],
    ['a retry around a command after --', ['retry', '3', '5', '--', 'npm', 'ci'], 'retry'],
    ['a rollback', ['rollback', '--config', 'x.yaml', '--env', 'production'], 'rollback'],
  ])('%s is valid', async (_case, argv, command) => {
    expect(await parseOnly(argv)).toEqual({ ok: true, command });
  });

  it.each([
    [
      'an unknown option',
      ['deploy', '--config', 'x.yaml', '--env', 's', '--slak-thread', 'C1:1.2'],
      /unknown option/,
    ],
    ['a missing required option', ['deploy', '--env', 'staging', 'v2'], /--config/],
    ['an unknown command', ['deplyo'], /unknown command/],
    ['a command group without its subcommand', ['guard'], /.+/],
  ])('%s is refused with commander’s message', async (_case, argv, message) => {
    const result = await parseOnly(argv);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  const REF = 'C0123ABCDEF:1700000000.000100';
  const reply = (...more: string[]) => [
    'slack',
    'thread-reply',
    '--thread',
    REF,
    '--stage',
    'build',
    ...more,
  ];

  it.each([
    [
      'GitLab’s "failed" as a stage status',
      reply('--status', 'failed'),
      /--status.*"failed".*success, failure, cancelled, skipped/,
    ],
    ['GitLab’s "canceled" as a stage status', reply('--status', 'canceled'), /--status.*"canceled"/],
    [
      'a reply to something that is no thread reference',
      ['slack', 'thread-reply', '--thread', 'not-a-ref', '--stage', 'b', '--status', 'success'],
      /--thread.*"not-a-ref".*CHANNEL_ID:TS/,
    ],
    [
      'a link that is not NAME=URL',
      reply('--status', 'success', '--link', 'https://ci.example/1'),
      /--link.*not NAME=URL/,
    ],
    [
      'a link that is not http(s)',
      reply('--status', 'success', '--link', 'Run=javascript:alert(1)'),
      /--link Run.*not an http\(s\) URL/,
    ],
    [
      'a later bad link after a good one',
      reply('--status', 'success', '--link', 'A=https://a.example', '--link', 'B=ftp://b'),
      /--link B/,
    ],
    [
      'a reply timeout that is no duration',
      reply('--status', 'success', '--timeout', 'soon'),
      /--timeout.*"soon"/,
    ],
    [
      'an empty stage',
      ['slack', 'thread-reply', '--thread', REF, '--stage', '', '--status', 'success'],
      /--stage is required/,
    ],
    [
      'a channel name instead of its ID',
      ['slack', 'thread-open', '--channel', '#deploys', '--title', 'T'],
      /--channel.*"#deploys".*channel ID/,
    ],
    [
      'an empty title',
      ['slack', 'thread-open', '--channel', 'C0123ABCDEF', '--title', ' '],
      /--title is required/,
    ],
    [
      'a notice with a channel name',
      ['slack', 'notify', '--channel', 'deploys', '--text', 'done'],
      /--channel.*"deploys"/,
    ],
    ['a flush timeout of zero', ['slack', 'flush', '--timeout', '0'], /--timeout.*"0"/],
    [
      'a deploy that waits for Slack "forever"',
      ['deploy', '--config', 'x.yaml', '--env', 's', '--slack-wait', 'forever', 'v2'],
      /--slack-wait.*"forever"/,
    ],
    [
      'a negative --slack-wait on a rollback',
      ['rollback', '--config', 'x.yaml', '--env', 's', '--slack-wait', '-1s'],
      /--slack-wait/,
    ],
    [
      'a deploy narrating in something that is no thread',
      ['deploy', '--config', 'x.yaml', '--env', 's', '--slack-thread', 'not-a-ref', 'v2'],
      /--slack-thread.*"not-a-ref"/,
    ],
    [
      'an unknown strategy',
      ['deploy', '--config', 'x.yaml', '--env', 's', '--strategy', 'big-bang', 'v2'],
      /--strategy.*"big-bang".*rolling, canary, blue-green/,
    ],
    [
      'retry with words for ATTEMPTS and BASE',
      ['retry', 'three', 'x', '--', 'true'],
      /threader: ATTEMPTS: "three"/,
    ],
    [
      'retry with a BASE that is no duration',
      ['retry', '3', 'x', '--', 'true'],
      /threader: BASE: "x" is not a duration/,
    ],
    [
      'retry with a third word before --',
      ['retry', '3', '5', 'curl', '--', 'x'],
      /unexpected "curl" before --/,
    ],
    ['retry without --', ['retry', '3', '5', 'curl'], /put the command after --/],
    [
      'retry with zero --attempts',
      ['retry', '--attempts', '0', '--', 'true'],
      /--attempts.*"0".*whole number/,
    ],
    [
      'retry with an unknown jitter',
      ['retry', '--jitter', 'some', '--', 'true'],
      /--jitter.*Allowed choices are full, none/,
    ],
    [
      'retry with a zero --timeout',
      ['retry', '--timeout', '0s', '--', 'true'],
      /--timeout must be longer than 0/,
    ],
    [
      'retry with an exit code out of range',
      ['retry', '--retry-on', '1,300', '--', 'true'],
      /--retry-on.*"300"/,
    ],
    [
      'retry with a --max-delay that is no duration',
      ['retry', '--max-delay', 'long', '--', 'true'],
      /--max-delay.*"long"/,
    ],
  ])('%s is refused, naming the field', async (_case, argv, message) => {
    const result = await parseOnly(argv);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(message) });
  });

  it.each([
    [
      'every stage status, in any case',
      ['success', 'failure', 'cancelled', 'skipped', 'Failure'].map((s) => reply('--status', s)),
    ],
    [
      'an empty --slack-thread (the pipeline opened no thread) and a zero --slack-wait',
      [['deploy', '--config', 'x.yaml', '--env', 's', '--slack-thread', '', '--slack-wait', '0', 'v2']],
    ],
    [
      'a rollback narrating in a thread for 2 minutes at most',
      [['rollback', '--config', 'x.yaml', '--env', 's', '--slack-thread', REF, '--slack-wait', '2m']],
    ],
    [
      'retry in the original form and with every flag',
      [
        ['retry', '3', '5', '--', 'true'],
        [
          'retry',
          '--attempts',
          '4',
          '--base',
          '500ms',
          '--max-delay',
          '1m',
          '--jitter',
          'full',
          '--timeout',
          '10s',
          '--deadline',
          '5m',
          '--retry-on',
          '1,75,120-125',
          '--kill-after',
          '2s',
          '--',
          'true',
        ],
      ],
    ],
    [
      'links with URLs that carry their own =',
      [
        reply(
          '--status',
          'success',
          '--link',
          'Run=https://ci.example/1?a=b',
          '--link',
          'Logs=http://ci.example/l',
        ),
      ],
    ],
  ])('%s is valid', async (_case, lines) => {
    for (const argv of lines) expect(await parseOnly(argv), argv.join(' ')).toMatchObject({ ok: true });
  });

  it('does not run the action: a deploy of a config that does not exist is still only parsed', async () => {
    const stderr = vi.spyOn(process.stderr, 'write');
    const result = await parseOnly(['deploy', '--config', '/nonexistent/deploy.yaml', '--env', 'x', 'v1']);
    expect(result).toEqual({ ok: true, command: 'deploy' });
    expect(stderr).not.toHaveBeenCalled();
    stderr.mockRestore();
  });

  it('--help counts as valid and prints nothing', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    expect((await parseOnly(['deploy', '--help'])).ok).toBe(true);
    expect(stdout).not.toHaveBeenCalled();
    stdout.mockRestore();
  });
});
