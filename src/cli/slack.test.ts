import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register } from './slack.js';

/** What commander hands each `threader slack …` action; the action itself never runs here. */
function parse(argv: string[]): { command: string; flags: Record<string, unknown> } | { error: string } {
  const program = new Command('threader')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  register(program);
  let seen: { command: string; flags: Record<string, unknown> } | undefined;
  program.hook('preAction', (_root, action) => {
    seen = { command: action.name(), flags: action.opts() };
    throw new Error('stop before the action');
  });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (seen) return seen;
    return { error: (e as Error).message };
  }
  throw new Error('the action was expected to be stopped');
}

describe('threader slack flags', () => {
  it('collects every --link of a reply, in order', () => {
    expect(
      parse([
        'slack',
        'thread-reply',
        '--stage',
        'build',
        '--status',
        'success',
        '--link',
        'Run=https://ci.example/1',
        '--link',
        'Logs=https://ci.example/1/logs',
      ]),
    ).toEqual({
      command: 'thread-reply',
      flags: {
        stage: 'build',
        status: 'success',
        link: ['Run=https://ci.example/1', 'Logs=https://ci.example/1/logs'],
      },
    });
  });

  it('reads --rollback-command, --timeout and --json of a reply', () => {
    const parsed = parse([
      'slack',
      'thread-reply',
      '--thread',
      'C1:1700000000.000100',
      '--stage',
      'deploy',
      '--status',
      'failure',
      '--rollback-command',
      'threader rollback --env production',
      '--timeout',
      '10s',
      '--json',
    ]);
    expect(parsed).toMatchObject({
      flags: { rollbackCommand: 'threader rollback --env production', timeout: '10s', json: true },
    });
  });

  it.each([
    [
      'a reply without --stage',
      ['slack', 'thread-reply', '--status', 'success'],
      "'--stage <name>' not specified",
    ],
    [
      'a reply without --status',
      ['slack', 'thread-reply', '--stage', 'b'],
      "'--status <status>' not specified",
    ],
    [
      'a thread without --title',
      ['slack', 'thread-open', '--channel', 'C1'],
      "'--title <text>' not specified",
    ],
    ['a notice without --text', ['slack', 'notify', '--channel', 'C1'], "'--text <text>' not specified"],
    ['an unknown flag', ['slack', 'flush', '--channel', 'C1'], "unknown option '--channel'"],
  ])('refuses %s before anything runs', (_name, argv, said) => {
    expect(parse(argv)).toEqual({ error: expect.stringContaining(said) });
  });

  it('opens with --key and --dotenv as given', () => {
    expect(
      parse([
        'slack',
        'thread-open',
        '--channel',
        'C1',
        '--title',
        'Run',
        '--key',
        'k',
        '--dotenv',
        'slack.env',
      ]),
    ).toEqual({
      command: 'thread-open',
      flags: { channel: 'C1', title: 'Run', key: 'k', dotenv: 'slack.env' },
    });
  });
});
