import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeEach, afterAll } from 'vitest';
import { runThreader, stopAll } from '../helpers/process.js';

// The lock file through the CLI, as pipelines use it: exit codes are the original script's contract.
let lockFile: string;
const env = () => ({ ...process.env, THREADER_GUARD_FILE: lockFile, THREADER_ACTOR: 'ci-bot' });
const guard = (...args: string[]) => runThreader(['guard', ...args], { env: env() });
const history = () =>
  readFileSync(`${lockFile}.history.jsonl`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; by: string; reason?: string });

beforeEach(() => {
  const dir = join(mkdtempSync(join(tmpdir(), 'guard-cli-')), 'state');
  mkdirSync(dir);
  lockFile = join(dir, 'qos.guard');
});
afterAll(stopAll);

describe('threader guard lock file', () => {
  it('exits 0 unlocked, 1 locked, 2 on usage errors', async () => {
    expect((await guard('status')).code).toBe(0);
    expect((await guard('lock', '10m', '--reason', 'rollback of api')).code).toBe(0);
    const locked = await guard('status');
    expect(locked.code).toBe(1);
    expect(locked.stdout).toContain('by ci-bot: rollback of api');
    expect((await guard('status', '--no-such-flag')).code).toBe(2);
    expect((await guard('lock', '15 parsecs', '--reason', 'x')).code).toBe(2);
    expect((await guard('lock', '5m')).code).toBe(2);
  });

  it('writes JSON with lockedAt, until, reason, by and release, and --json reads it back', async () => {
    await guard('lock', '5m', '--reason', 'rollback');
    const onDisk = JSON.parse(readFileSync(lockFile, 'utf8'));
    expect(Object.keys(onDisk)).toEqual(
      expect.arrayContaining(['lockedAt', 'until', 'reason', 'by', 'release']),
    );
    expect(Date.parse(onDisk.until) - Date.parse(onDisk.lockedAt)).toBe(5 * 60_000);
    const status = JSON.parse((await guard('status', '--json')).stdout);
    expect(status).toMatchObject({
      locked: true,
      phase: 'minimum',
      lock: { reason: 'rollback', by: 'ci-bot' },
    });
  });

  it('keeps one valid lock and a complete history when many processes lock at once', async () => {
    const minutes = [3, 9, 1, 7, 5, 2, 8, 4];
    const results = await Promise.all(minutes.map((m) => guard('lock', `${m}m`, '--reason', `step ${m}`)));
    expect(results.map((r) => r.code)).toEqual(minutes.map(() => 0));
    const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
    // The longest request wins; nothing was shortened by a later, shorter one.
    const started = Date.parse(lock.lockedAt);
    expect(Date.parse(lock.until) - started).toBeGreaterThanOrEqual(9 * 60_000 - 10_000);
    const events = history();
    expect(events).toHaveLength(8);
    expect(events.filter((e) => e.event === 'lock')).toHaveLength(1);
    expect(events.filter((e) => e.event === 'extend')).toHaveLength(7);
    expect(existsSync(`${lockFile}.mutex`)).toBe(false);
  });

  it('still reads the original script’s epoch-seconds lock file', async () => {
    writeFileSync(lockFile, `${Math.floor(Date.now() / 1000) - 60}\n`);
    const r = await guard('status');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('legacy qos_guard.sh lock');
    expect(r.stdout).toMatch(/\(1[34]m( \d+s)? left\)/);
  });

  it('reports and removes an expired lock, recording the expiry', async () => {
    await guard('lock', '1m', '--reason', 'old', '--release', 'time');
    const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
    writeFileSync(lockFile, JSON.stringify({ ...lock, until: new Date(Date.now() - 1_000).toISOString() }));
    const r = await guard('status');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('removed an expired lock by ci-bot: old');
    expect(existsSync(lockFile)).toBe(false);
    expect(history().map((e) => e.event)).toEqual(['lock', 'expire']);
  });

  it('refuses a plain unlock while locked and records a forced one with who and why', async () => {
    await guard('lock', '10m', '--reason', 'rollback');
    const refused = await guard('unlock');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('use --force --reason TEXT to override');
    expect((await guard('unlock', '--force')).code).toBe(2);
    const forced = await runThreader(['guard', 'unlock', '--force', '--reason', 'hotfix', '--by', 'alice'], {
      env: env(),
    });
    expect(forced.code).toBe(0);
    expect((await guard('status')).code).toBe(0);
    expect(history().at(-1)).toMatchObject({ event: 'force_unlock', by: 'alice', reason: 'hotfix' });
  });

  it('treats an unreadable lock file as locked', async () => {
    writeFileSync(lockFile, '{"half": ');
    const r = await guard('status');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('cannot be read');
  });

  it("takes the original script's forms: `lock 5` is five minutes, `status 15` still answers", async () => {
    expect((await guard('lock', '5', '--reason', 'legacy caller', '--release', 'time', '--json')).code).toBe(
      0,
    );
    const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { lockedAt: string; until: string };
    expect(Date.parse(lock.until) - Date.parse(lock.lockedAt)).toBe(5 * 60_000);
    expect((await guard('status', '15')).code).toBe(1);
    expect((await guard('unlock', '--force', '--reason', 'test over')).code).toBe(0);
  });
});
