import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runRollback } from './deploy-action.js';

describe('threader rollback --print-command', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the rollback as one command line whose every value a shell reads back as given, and runs nothing', async () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    // No such config: anything beyond printing would fail on it.
    await runRollback({
      config: '/etc/my deploy.yaml',
      env: 'production',
      to: "v1'$(touch /tmp/pwned)`",
      printCommand: true,
    });
    const line = printed.join('');
    expect(line).toBe(
      `threader rollback --config '/etc/my deploy.yaml' --env production --to 'v1'\\''$(touch /tmp/pwned)\`'\n`,
    );
    const words = execFileSync('bash', ['-c', `set -- ${line.trim()}; printf '%s\\0' "$@"`], {
      encoding: 'utf8',
    });
    expect(words.split('\0').slice(0, -1)).toEqual([
      'threader',
      'rollback',
      '--config',
      '/etc/my deploy.yaml',
      '--env',
      'production',
      '--to',
      "v1'$(touch /tmp/pwned)`",
    ]);
  });
});
