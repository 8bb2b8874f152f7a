import { execFileSync } from 'node:child_process';
import { describe, it, expect } from 'vitest';
import { quoteArg, quoteCommand } from './shell-quote.js';

/** What `sh` makes of a command line: each word on its own, NUL-separated. */
function shellWords(line: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('quoteArg', () => {
  it.each([
    ['a plain word stays as it is', 'v1.2.3', 'v1.2.3'],
    ['a path stays as it is', '/opt/app/bin/threader', '/opt/app/bin/threader'],
    ['an empty string becomes an empty quoted word', '', "''"],
    ['a space is quoted', 'a b', "'a b'"],
    ['a single quote is closed, escaped and reopened', "it's", "'it'\\''s'"],
    ['a dollar sign is not expanded', '$HOME', "'$HOME'"],
    ['a command substitution stays text', '$(rm -rf /)', "'$(rm -rf /)'"],
    ['a glob is not expanded', '*', "'*'"],
    ['a leading tilde is not expanded', '~root', "'~root'"],
    ['an equals sign is quoted so a first word is never an assignment', 'A=b', "'A=b'"],
    ['a trailing backtick stays text (a rollback command ends in a code block)', 'v1`', "'v1`'"],
  ])('%s', (_name, input, expected) => {
    expect(quoteArg(input)).toBe(expected);
  });

  it('refuses a NUL byte, which no shell word can carry', () => {
    expect(() => quoteArg('a\0b')).toThrow(/NUL/);
  });
});

describe('quoteCommand', () => {
  const nasty = [
    'node',
    'it\'s "quoted"',
    '$(touch /tmp/pwned) `id` ${HOME}',
    'semi;colon && or || pipe | amp &',
    'new\nline',
    'tab\there',
    'back\\slash',
    '*?[glob]',
    '',
    '-n',
    'ünïcödé ✓',
  ];

  it('gives the shell back exactly the words it was given', () => {
    expect(shellWords(quoteCommand(nasty))).toEqual(nasty);
  });

  it('runs a first word containing = as a command, not as an assignment', () => {
    const out = execFileSync('sh', ['-c', `${quoteCommand(['A=b'])} 2>&1 || true`], { encoding: 'utf8' });
    expect(out).toMatch(/not found/);
  });

  it('refuses an empty command', () => {
    expect(() => quoteCommand([])).toThrow(/empty/);
  });
});
