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
