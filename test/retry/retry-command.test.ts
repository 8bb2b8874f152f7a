import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeEach } from 'vitest';
import { retryCommand, type CommandAttemptReport } from '../../src/retry/command-retry.js';
import type { RetryPolicy } from '../../src/retry/policy.js';
import { isAlive, waitFor } from '../helpers/process.js';

// Real child processes, fake waits: the sleep records what the loop asked for and returns at once.
const flaky = new URL('../fixtures/flaky-command.mjs', import.meta.url).pathname;
const policy: RetryPolicy = { attempts: 4, baseMs: 5_000, maxDelayMs: 60_000, jitter: 'none' };

let dir: string;
let waits: number[];
const fakeSleep = async (ms: number) => {
  waits.push(ms);
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'retry-'));
  waits = [];
});

function flakyCommand(failures: number, code = 1) {
  return { command: process.execPath, args: [flaky, join(dir, 'counter'), String(failures), String(code)] };
}

function runs(): number {
  return Number(readFileSync(join(dir, 'counter'), 'utf8'));
}

describe('retryCommand with real child processes', () => {
  it('succeeds on the third run after waiting base then 2·base', async () => {
    const reports: CommandAttemptReport[] = [];
    const run = retryCommand(flakyCommand(2), {
      policy,
      sleep: fakeSleep,
      onAttempt: (r) => reports.push(r),
    });
    const outcome = await run.outcome;
    expect(outcome).toMatchObject({ exitCode: 0, attempts: 3, reason: 'success' });
    expect(waits).toEqual([5_000, 10_000]);
    expect(runs()).toBe(3);
    expect(reports.map((r) => [r.attempt, r.result.exitCode, r.nextDelayMs])).toEqual([
      [1, 1, 5_000],
      [2, 1, 10_000],
      [3, 0, undefined],
    ]);
  });

  it('exits with the last attempt’s own exit code when every attempt fails', async () => {
    const outcome = await retryCommand(flakyCommand(99, 3), { policy, sleep: fakeSleep }).outcome;
    expect(outcome).toMatchObject({ exitCode: 3, attempts: 4, reason: 'attempts' });
    expect(waits).toEqual([5_000, 10_000, 20_000]);
  });

  it('caps the waits at the maximum delay', async () => {
    await retryCommand(flakyCommand(99), { policy: { ...policy, maxDelayMs: 7_000 }, sleep: fakeSleep })
      .outcome;
    expect(waits).toEqual([5_000, 7_000, 7_000]);
  });

  it('does not retry an exit code outside --retry-on', async () => {
    const outcome = await retryCommand(flakyCommand(99, 3), {
      policy,
      sleep: fakeSleep,
      retryOn: new Set([75]),
    }).outcome;
    expect(outcome).toMatchObject({ exitCode: 3, attempts: 1, reason: 'not_retryable' });
    expect(runs()).toBe(1);
  });

  it('retries an exit code listed in --retry-on', async () => {
    const outcome = await retryCommand(flakyCommand(1, 75), {
      policy,
      sleep: fakeSleep,
      retryOn: new Set([75]),
    }).outcome;
    expect(outcome).toMatchObject({ exitCode: 0, attempts: 2 });
  });

  it('kills a hanging attempt’s whole process tree at the timeout and reports 124', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const started = Date.now();
    const outcome = await retryCommand(
      { command: 'sh', args: ['-c', `sleep 30 & echo $! > ${pidFile}; wait`] },
      { policy: { ...policy, attempts: 2 }, sleep: fakeSleep, timeoutMs: 300 },
    ).outcome;
    expect(outcome).toMatchObject({ exitCode: 124, attempts: 2, reason: 'attempts' });
    expect(outcome.last.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => (isAlive(grandchild) ? undefined : true), {
      what: 'grandchild to die',
      timeoutMs: 3_000,
    });
  });

  it('escalates to SIGKILL when the tree ignores SIGTERM', async () => {
    const pidFile = join(dir, 'stubborn.pid');
    const started = Date.now();
    const outcome = await retryCommand(
      { command: 'sh', args: ['-c', `trap "" TERM; echo $$ > ${pidFile}; sleep 30 & wait; sleep 30`] },
      { policy: { ...policy, attempts: 1 }, timeoutMs: 200, killGraceMs: 300 },
    ).outcome;
    expect(outcome.exitCode).toBe(124);
    // Without the escalation the shell would live on for 30 s after ignoring SIGTERM.
    expect(Date.now() - started).toBeLessThan(5_000);
    const shell = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => (isAlive(shell) ? undefined : true), { what: 'the shell to die', timeoutMs: 3_000 });
  });

  it('reports an attempt killed by a signal as 128 + the signal number and retries it', async () => {
    const outcome = await retryCommand(
      { command: 'sh', args: ['-c', 'kill -KILL $$'] },
      { policy: { ...policy, attempts: 2 }, sleep: fakeSleep },
    ).outcome;
    expect(outcome).toMatchObject({ exitCode: 137, attempts: 2 });
    expect(outcome.last.signal).toBe('SIGKILL');
  });

  it('stops at the overall deadline, killing the attempt that is running', async () => {
    const started = Date.now();
    const outcome = await retryCommand(
      { command: 'sleep', args: ['30'] },
      { policy: { ...policy, baseMs: 0 }, sleep: fakeSleep, deadlineMs: 400 },
    ).outcome;
    expect(outcome).toMatchObject({ exitCode: 124, attempts: 1, reason: 'deadline' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('forwards a signal to the running attempt and makes no further attempt', async () => {
    const pidFile = join(dir, 'child.pid');
    const run = retryCommand(
      { command: 'sh', args: ['-c', `echo $$ > ${pidFile}; exec sleep 30`] },
      { policy, sleep: fakeSleep },
    );
    await waitFor(() => (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() ? true : undefined));
    run.signal('SIGTERM');
    const outcome = await run.outcome;
    expect(outcome).toMatchObject({ exitCode: 143, attempts: 1, reason: 'aborted' });
  });

  it('reports a command that does not exist as 127', async () => {
    const outcome = await retryCommand(
      { command: join(dir, 'no-such-command'), args: [] },
      { policy: { ...policy, attempts: 2 }, sleep: fakeSleep },
    ).outcome;
    expect(outcome).toMatchObject({ exitCode: 127, attempts: 2 });
    expect(outcome.last.spawnError).toMatch(/ENOENT/);
  });
});
