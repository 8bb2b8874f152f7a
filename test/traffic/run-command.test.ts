import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/traffic/run-command.js';

const node = process.execPath;

describe('runCommand (argv, no shell, output captured)', () => {
  it('captures stdout and stderr of a failing command with its own exit code', async () => {
    const r = await runCommand([node, '-e', 'console.log("out"); console.error("boom"); process.exit(3)'], {
      timeoutMs: 10_000,
    });
    expect(r).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'boom\n', timedOut: false });
  });

  it('passes arguments through untouched: a ; is not a second command', async () => {
    const r = await runCommand([node, '-e', 'console.log(process.argv[1])', 'a; rm -rf /'], {
      timeoutMs: 10_000,
    });
    expect(r.stdout).toBe('a; rm -rf /\n');
  });

  it('reports a command that does not exist as 127 with the reason', async () => {
    const r = await runCommand(['/nonexistent/nginx', '-t'], { timeoutMs: 10_000 });
    expect(r.exitCode).toBe(127);
    expect(r.spawnError).toMatch(/ENOENT/);
  });

  it('kills a command that hangs past its timeout and says so', async () => {
    const r = await runCommand([node, '-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 300 });
    expect(r).toMatchObject({ exitCode: 124, timedOut: true });
  });
});
