import { describe, expect, it } from 'vitest';
import { baseEnv, localRunner } from '../../src/deploy/drivers/command-runner.js';
import { isAlive } from '../helpers/process.js';

describe('localRunner', () => {
  const runner = localRunner({ killGraceMs: 200 });

  it('passes stdin to the command and captures its output and exit code', async () => {
    const r = await runner.run(['sh', '-c', 'cat; echo oops >&2; exit 3'], {
      input: 'hello',
      timeoutMs: 5_000,
    });
    expect(r).toEqual({ exitCode: 3, stdout: 'hello', stderr: 'oops\n', timedOut: false });
  });

  it('answers 127 for a command that does not exist, saying it could not start', async () => {
    const r = await runner.run(['/nonexistent/threader-cmd'], { timeoutMs: 5_000 });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/ENOENT/);
    expect(r.spawnError).toMatch(/^ENOENT: /);
  });

  it('passes arguments through untouched: a ; is not a second command', async () => {
    const r = await runner.run([process.execPath, '-e', 'console.log(process.argv[1])', 'a; rm -rf /'], {
      timeoutMs: 5_000,
    });
    expect(r).toEqual({ exitCode: 0, stdout: 'a; rm -rf /\n', stderr: '', timedOut: false });
  });

  it('kills the whole process group when the timeout passes', async () => {
    const r = await runner.run(['sh', '-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 200 });
    expect(r.timedOut).toBe(true);
    expect(isAlive(Number(r.stdout.trim()))).toBe(false);
  });

  it('kills the command when the signal aborts', async () => {
    const ac = new AbortController();
    const running = runner.run(['sleep', '30'], { timeoutMs: 60_000, signal: ac.signal });
    ac.abort();
    expect((await running).timedOut).toBe(true);
  });

  it('hands commands only the named part of the environment, never the deployer secrets', async () => {
    const env = baseEnv({
      PATH: '/usr/bin:/bin',
      HOME: '/root',
      SLACK_BOT_TOKEN: 'xoxb-1',
      DATABASE_URL: 'postgres://u:p@h/db',
    });
    expect(env).toEqual({ PATH: '/usr/bin:/bin', HOME: '/root' });
    const r = await localRunner({ env }).run(['sh', '-c', 'env'], { timeoutMs: 5_000 });
    expect(r.stdout).not.toMatch(/SLACK_BOT_TOKEN|DATABASE_URL/);
  });
});
