import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellLine, shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it.each([
    ['a plain path stays as it is', 'deploy/deploy.yaml', 'deploy/deploy.yaml'],
    ['an empty word is quoted so it stays a word', '', "''"],
    ['a path with a space is single-quoted', '/etc/my deploy.yaml', "'/etc/my deploy.yaml'"],
    ['a single quote is closed, escaped and reopened', "it's", "'it'\\''s'"],
    ['a command substitution stays text', 'v$(id)', "'v$(id)'"],
    ['a trailing backtick stays text', 'v1`', "'v1`'"],
  ])('%s', (_case, word, expected) => {
    expect(shellQuote(word)).toBe(expected);
  });

  it('bash reads every quoted word back as the word it was', () => {
    const words = ['/etc/my deploy.yaml', "it's", 'v$(id)`x`', '', 'a\nb', '*', '--to'];
    const printed = execFileSync('bash', ['-c', `printf '%s\\0' ${shellLine(words)}`], { encoding: 'utf8' });
    expect(printed.split('\0').slice(0, -1)).toEqual(words);
  });
});
