import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, afterAll } from 'vitest';
import { isAlive, runThreader, spawnThreader, stopAll, waitFor } from '../helpers/process.js';

// `threader retry` as a pipeline step would run it: a real process, real (short) waits.
const flaky = new URL('../fixtures/flaky-command.mjs', import.meta.url).pathname;
const tmp = () => mkdtempSync(join(tmpdir(), 'retry-cli-'));

afterAll(stopAll);

describe('threader retry (the CLI)', () => {
  it('keeps the original form: fails twice, waits 100ms then 200ms, succeeds on the third run', async () => {
    const counter = join(tmp(), 'n');
    const r = await runThreader(['retry', '3', '0.1', '--', process.execPath, flaky, counter, '2', '7']);
    expect(r.code).toBe(0);
    expect(r.durationMs).toBeGreaterThanOrEqual(300);
    // The command's own output passes through untouched, in order.
    expect(r.stdout).toBe('out: run 1 -> 7\nout: run 2 -> 7\nout: run 3 -> 0\n');
    expect(r.stderr).toContain('err: run 3 -> 0');
    expect(r.stderr).toContain('attempt 1/3 failed after');
    expect(r.stderr).toContain('exit code 7; next attempt in 100ms');
    expect(r.stderr).toContain('exit code 7; next attempt in 200ms');
    expect(r.stderr).toContain('attempt 3/3 succeeded');
  });

  it('exits with the command’s own exit code after the last attempt', async () => {
    const r = await runThreader(['retry', '--attempts', '2', '--base', '10ms', '--', 'sh', '-c', 'exit 42']);
    expect(r.code).toBe(42);
    expect(r.stderr).toContain('giving up after 2 attempt(s)');
  });

  it('passes options meant for the command through untouched', async () => {
    const r = await runThreader([
      'retry',
      '1',
      '0',
      '--quiet',
      '--',
      'sh',
      '-c',
      'echo "$@"',
      'sh',
      '--attempts',
      '-q',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('--attempts -q\n');
    expect(r.stderr).toBe('');
  });

  it('reports 124 when the per-attempt timeout killed the command', async () => {
    const r = await runThreader(['retry', '2', '10ms', '--timeout', '200ms', '--', 'sleep', '30']);
    expect(r.code).toBe(124);
    expect(r.durationMs).toBeLessThan(10_000);
    expect(r.stderr).toContain('timed out, process tree killed (exit 124)');
  });

  it('does not retry an exit code outside --retry-on', async () => {
    const counter = join(tmp(), 'n');
    const r = await runThreader([
      'retry',
      '5',
      '10ms',
      '--retry-on',
      '75',
      '--',
      process.execPath,
      flaky,
      counter,
      '9',
      '3',
    ]);
    expect(r.code).toBe(3);
    expect(readFileSync(counter, 'utf8')).toBe('1');
  });

  it('stops at the deadline even with attempts left', async () => {
    const r = await runThreader(['retry', '10', '300ms', '--deadline', '1s', '--', 'sh', '-c', 'exit 5']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('the deadline left no time for another attempt');
    expect(r.durationMs).toBeLessThan(5_000);
  });

  it.each([
    ['a missing command', ['retry', '3', '5', '--']],
    ['a command without the -- separator', ['retry', '3', '5', 'echo', 'hi']],
    ['an attempt count that is not a number', ['retry', 'three', '--', 'true']],
    ['a base that is not a duration', ['retry', '--base', '5 parsecs', '--', 'true']],
    ['an unknown jitter mode', ['retry', '--jitter', 'some', '--', 'true']],
  ])('exits 2 with a message for %s', async (_name, args) => {
    const r = await runThreader(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^threader: .+|error: .+/m);
  });

  it('forwards SIGTERM to the running command and exits the way it ended', async () => {
    const pidFile = join(tmp(), 'pid');
    const p = spawnThreader(['retry', '3', '10ms', '--', 'sh', '-c', `echo $$ > ${pidFile}; exec sleep 30`]);
    const childPid = await waitFor(() =>
      existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim()
        ? Number(readFileSync(pidFile, 'utf8'))
        : undefined,
    );
    p.signal('SIGTERM');
    const exit = await p.exited;
    expect(exit.code).toBe(143);
    expect(isAlive(childPid)).toBe(false);
    expect(p.stderr()).toContain('stopped by a signal');
  });

  it('leaves the exit code to a command that traps the forwarded signal', async () => {
    const pidFile = join(tmp(), 'trap.pid');
    const p = spawnThreader([
      'retry',
      '3',
      '10ms',
      '--',
      'sh',
      '-c',
      `trap "exit 9" TERM; echo $$ > ${pidFile}; sleep 30 & wait`,
    ]);
    await waitFor(() => (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() ? true : undefined));
    p.signal('SIGTERM');
    expect((await p.exited).code).toBe(9);
    expect(p.stderr()).toContain('exiting with 9');
  });

  it('exits 128 + the signal when it arrives between attempts', async () => {
    const p = spawnThreader(['retry', '3', '30s', '--', 'sh', '-c', 'exit 1']);
    await waitFor(() => (p.stderr().includes('next attempt in 30s') ? true : undefined));
    p.signal('SIGINT');
    expect((await p.exited).code).toBe(130);
    expect(p.stderr()).toContain('received SIGINT between attempts: exiting with 130');
  });
});
