import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policies } from '../retry/policy.js';
import type { NginxTrafficSpec } from '../deploy/types.js';
import { createNginxRouter } from './nginx-router.js';
import type { CommandResult } from '../deploy/drivers/command-runner.js';
import type { UpstreamServer } from './types.js';

const ok: CommandResult = { exitCode: 0, stdout: '', stderr: '', timedOut: false };
const servers = (a: number, b: number): UpstreamServer[] => [
  { name: 'a', host: '127.0.0.1', port: 9001, weight: a },
  { name: 'b', host: '127.0.0.1', port: 9002, weight: b },
];

/** A router over a temp dir whose "nginx" is a script of answers; each call records what the file held. */
function setup(answers: { test?: CommandResult[]; reload?: CommandResult[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'threader-router-'));
  const file = join(dir, 'upstream.conf');
  const spec: NginxTrafficSpec = {
    type: 'nginx',
    configFile: file,
    upstream: 'app',
    testCommand: ['nginx', '-t', '-c', '{dir}/nginx.conf'],
    reloadCommand: ['nginx', '-s', 'reload'],
  };
  const calls: Array<{ what: 'test' | 'reload'; argv: string[]; fileThen: string | null }> = [];
  const router = createNginxRouter({
    spec,
    policy: policies.instant,
    run: {
      where: 'localhost',
      run: async (argv) => {
        const what = argv.includes('-t') ? 'test' : 'reload';
        calls.push({ what, argv: [...argv], fileThen: existsSync(file) ? readFileSync(file, 'utf8') : null });
        return answers[what]?.shift() ?? ok;
      },
    },
  });
  const leftovers = () => readdirSync(dir).filter((f) => f !== 'upstream.conf');
  return { dir, file, router, calls, leftovers };
}

const rejected: CommandResult = {
  exitCode: 1,
  stdout: '',
  stderr: 'nginx: [emerg] invalid parameter "weight=x" in /etc/nginx/upstream.conf:4\n',
  timedOut: false,
};

describe('nginx router', () => {
  it('writes the file, tests it in place, then reloads, on the first apply', async () => {
    const { file, router, calls, dir, leftovers } = setup();
    const r = await router.apply(servers(1, 3));
    expect(r.changed).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(r.config);
    expect(calls.map((c) => c.what)).toEqual(['test', 'reload']);
    // nginx -t reads the real include path, so the candidate must already be there when it runs.
    expect(calls[0]?.fileThen).toBe(r.config);
    expect(calls[0]?.argv).toEqual(['nginx', '-t', '-c', `${dir}/nginx.conf`]);
    expect(leftovers()).toEqual([]);
    expect(await router.current()).toEqual(servers(1, 3));
  });

  it('does nothing at all when the weights are already in place', async () => {
    const { router, calls } = setup();
    await router.apply(servers(1, 3));
    const again = await router.apply(servers(1, 3).reverse());
    expect(again.changed).toBe(false);
    expect(calls).toHaveLength(2);
  });

  it("keeps the old file byte for byte and reports nginx's message when the test fails, without reloading", async () => {
    const { file, router, calls, leftovers } = setup({ test: [ok, rejected] });
    await router.apply(servers(1, 1));
    const before = readFileSync(file, 'utf8');
    const err = await router.apply(servers(1, 9)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'traffic_config_rejected' });
    expect((err as Error).message).toContain('invalid parameter "weight=x"');
    expect(readFileSync(file, 'utf8')).toBe(before);
    // Deterministic: one test, no retry, and no reload.
    expect(calls.map((c) => c.what)).toEqual(['test', 'reload', 'test']);
    expect(leftovers()).toEqual([]);
  });

  it('leaves no file behind when the very first config is rejected', async () => {
    const { file, router } = setup({ test: [rejected] });
    await expect(router.apply(servers(1, 1))).rejects.toMatchObject({ code: 'traffic_config_rejected' });
    expect(existsSync(file)).toBe(false);
    expect(await router.current()).toEqual([]);
  });

  it('retries a test that hung, under the retry policy, and then goes on', async () => {
    const hung = { ...ok, exitCode: 124, timedOut: true };
    const { router, calls } = setup({ test: [hung, hung] });
    expect((await router.apply(servers(2, 1))).changed).toBe(true);
    expect(calls.map((c) => c.what)).toEqual(['test', 'test', 'test', 'reload']);
  });

  it('retries a flaky reload and succeeds', async () => {
    const flaky = { ...ok, exitCode: 1, stderr: 'nginx: [error] invalid PID number "" in "nginx.pid"' };
    const { router, calls } = setup({ reload: [flaky, flaky] });
    expect((await router.apply(servers(2, 1))).changed).toBe(true);
    expect(calls.map((c) => c.what)).toEqual(['test', 'reload', 'reload', 'reload']);
  });

  it('puts the old file back when reload keeps failing, and reloads on the next apply of the same weights', async () => {
    const down = { ...ok, exitCode: 1, stderr: 'nginx: [alert] kill(123, 1) failed (3: No such process)' };
    const { file, router, calls } = setup({ reload: [ok, down, down, down, down, down] });
    await router.apply(servers(1, 1));
    const before = readFileSync(file, 'utf8');
    await expect(router.apply(servers(5, 1))).rejects.toMatchObject({
      code: 'traffic_command_failed',
      message: expect.stringContaining('No such process'),
    });
    expect(readFileSync(file, 'utf8')).toBe(before);
    calls.length = 0;
    expect((await router.apply(servers(1, 1))).changed).toBe(true);
    expect(calls.map((c) => c.what)).toEqual(['test', 'reload']);
  });

  it('finishes the repair of an apply that died mid-swap: old file back, tested and reloaded', async () => {
    const { file, router, calls, leftovers } = setup();
    await router.apply(servers(1, 1));
    const good = readFileSync(file, 'utf8');
    // What a crash between "candidate in place" and "test passed" leaves behind.
    writeFileSync(`${file}.threader-old`, good);
    writeFileSync(file, 'upstream app { server 127.0.0.1:1 weight=untested; }\n');
    expect(await router.current()).toEqual(servers(1, 1));
    calls.length = 0;
    const r = await router.apply(servers(1, 1));
    expect(r.changed).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(good);
    expect(calls.map((c) => c.what)).toEqual(['test', 'reload']);
    expect(leftovers()).toEqual([]);
  });

  it('refuses an empty upstream before touching the file or running anything', async () => {
    const { file, router, calls } = setup();
    await router.apply(servers(1, 1));
    const before = readFileSync(file, 'utf8');
    await expect(router.apply(servers(0, 0))).rejects.toMatchObject({ code: 'invalid_upstream' });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(calls).toHaveLength(2);
  });

  it('runs overlapping applies one after the other, so the last one asked for wins', async () => {
    const { router } = setup();
    await Promise.all([
      router.apply(servers(1, 1)),
      router.apply(servers(1, 4)),
      router.apply(servers(4, 1)),
    ]);
    expect(await router.current()).toEqual(servers(4, 1));
  });
});
