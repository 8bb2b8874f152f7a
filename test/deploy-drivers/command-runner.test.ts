import { describe, expect, it } from 'vitest';
import { baseEnv, localRunner } from '../../src/deploy/drivers/command-runner.js';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, waitFor } from '../helpers/process.js';

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
    // The grandchild got the group's signal; it is gone once it has been reaped.
    const pid = Number(r.stdout.trim());
    await waitFor(() => (isAlive(pid) ? undefined : true), { timeoutMs: 5_000, what: `pid ${pid} gone` });
  });

  it('kills the whole process group when the signal aborts', async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'runner-')), 'pid');
    const ac = new AbortController();
    const running = runner.run(['sh', '-c', `sleep 30 & echo $! > '${pidFile}'; wait`], {
      timeoutMs: 60_000,
      signal: ac.signal,
    });
    const pid = await waitFor(
      () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) || undefined : undefined),
      {
        what: 'the background sleep to start',
      },
    );
    expect(isAlive(pid)).toBe(true);
    ac.abort();
    expect((await running).timedOut).toBe(true);
    await waitFor(() => (isAlive(pid) ? undefined : true), { timeoutMs: 5_000, what: `pid ${pid} gone` });
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
