import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../src/emulator/index.js';
import type { MessageView, ThreadView } from '../../src/emulator/types.js';
import { nginxMissing } from '../helpers/nginx.js';
import { prometheusMissing } from '../helpers/prometheus.js';
import { anyMissing, suiteTitle } from '../helpers/require-tool.js';
import {
  runProcess,
  runThreader,
  spawnThreader,
  stopAll,
  threaderBin,
  waitFor,
  type RunResult,
} from '../helpers/process.js';
import { startFleet, untilSeenOrExit, type Fleet } from './harness.js';

/**
 * Deploy threads end to end: `threader deploy` as a pipeline runs it (a real process, real nginx,
 * real Prometheus, a steady load) narrating into the project's Slack emulator. Each scenario reads
 * the thread the deploy left behind in the emulator, as a person in the channel would.
 */
const missing = anyMissing(prometheusMissing(), nginxMissing());
const title = 'threader deploy narrated in one Slack thread (emulator)';
const CHANNEL = 'C0DEPLOYS';

describe.skipIf(missing !== undefined)(suiteTitle(title, missing), () => {
  let fleet: Fleet;
  let emu: SlackEmulator;
  let env: NodeJS.ProcessEnv;
  let binDir: string;

  beforeAll(async () => {
    fleet = await startFleet({
      instances: 4,
      strategy: {
        default: 'canary',
        rolling: { maxSurge: '25%', maxUnavailable: '25%', drainDelay: '300ms' },
        canary: { tags: ['canary'], steps: [{ setWeight: 10 }, { analysis: {} }], drainDelay: '300ms' },
      },
    });
    emu = await startSlackEmulator();
    env = {
      ...process.env,
      THREADER_ACTOR: 'e2e',
      SLACK_BOT_TOKEN: 'xoxb-deploy-thread-test',
      SLACK_API_URL: emu.url,
      SLACK_CHANNEL: CHANNEL,
      THREADER_DB: join(fleet.dir, 'threader.db'),
      THREADER_SLACK_THREAD: '',
    };
    // `threader` on PATH, so a command printed in Slack runs exactly as printed.
    binDir = join(fleet.dir, 'bin');
    mkdirSync(binDir);
    writeFileSync(join(binDir, 'threader'), `#!/bin/sh\nexec "${process.execPath}" "${threaderBin}" "$@"\n`);
    chmodSync(join(binDir, 'threader'), 0o755);
    const first = await deploy(['deploy', '--to', 'v1', '--strategy', 'rolling', '--no-slack']);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(async () => {
    await fleet?.stop();
    await emu?.close();
    await stopAll();
  });

  function deploy(args: string[]): Promise<RunResult> {
    return runThreader([...args, '--config', fleet.config, '--env', 'staging'], { env, timeoutMs: 110_000 });
  }

  const threads = (): ThreadView[] => emu.threads(CHANNEL);
  const shown = (m: MessageView): string => JSON.stringify({ text: m.text, blocks: m.blocks });
  /** The thread whose card names the deploy. */
  const threadOf = (id: string): ThreadView[] => threads().filter((t) => shown(t.parent).includes(id));
  /** "3/7" positions the stage replies carry, in the order they were posted. */
  const positions = (t: ThreadView): number[] =>
    t.replies
      .map((r) => /^:[a-z_]+: (\d+)\/\d+ /.exec(r.text)?.[1])
      .filter(Boolean)
      .map(Number);
  const stepsOf = (t: ThreadView): number =>
    Number(/^:[a-z_]+: \d+\/(\d+) /.exec(t.replies[0]?.text ?? '')?.[1]);
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

  it('1. a successful canary leaves exactly one thread: the card says succeeded, one reply per stage, no duplicates', async () => {
    const run = await deploy(['deploy', '--to', 'v2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(run.stdout) as {
      id: string;
      status: string;
      steps: number;
      threadRef?: string;
    };
    const mine = threadOf(record.id);
    expect(mine).toHaveLength(1);
    const thread = mine[0]!;
    expect(record.threadRef).toBe(`${CHANNEL}:${thread.parent.ts}`);
    expect(thread.parent.text).toContain('svc v1 → v2 to staging: succeeded');
    expect(thread.parent.edits.length).toBeGreaterThan(0);
    // Every step of the plan told once, in order, then the end.
    expect(positions(thread)).toEqual(Array.from({ length: record.steps }, (_, i) => i + 1));
    expect(new Set(thread.replies.map((r) => r.text)).size).toBe(thread.replies.length);
    expect(thread.replies.some((r) => r.text.includes('analysis `canary at 10%`: *Successful*'))).toBe(true);
    expect(thread.replies.at(-1)?.text).toMatch(/^:white_check_mark: deploy succeeded: `v2` after/);
    expect(thread.replies.every((r) => !r.reply_broadcast)).toBe(true);
    expect(thread.replies.every((r) => r.thread_ts === thread.parent.ts && !r.thread_ts_was_reply)).toBe(
      true,
    );
  });

  it('2. a failed canary broadcasts the failing check with its values, shows the guard lock, and its rollback command runs as printed', async () => {
    const run = await deploy(['deploy', '--to', 'v3-bad', '--json']);
    expect(run.code).toBe(1);
    const record = JSON.parse(run.stdout) as { id: string; status: string };
    expect(record.status).toBe('rolled-back');
    const [thread] = threadOf(record.id);
    expect(thread, JSON.stringify(threads().map((t) => t.parent.text))).toBeDefined();
    expect(thread!.parent.text).toContain('rolled back');
    const failures = thread!.replies.filter((r) => r.reply_broadcast);
    expect(failures).toHaveLength(1);
    const failure = shown(failures[0]!);
    expect(failure).toContain('failed* at step');
    expect(failure).toMatch(/\*http_5xx_ratio\* :x: .* — value 0\.\d+, threshold &lt;= 0\.01/);
    expect(failure).toContain('query: `');
    expect(failure).toContain('threader_http_requests_total');
    const rollback = shown(thread!.replies.find((r) => r.text.startsWith(':leftwards_arrow_with_hook:'))!);
    expect(rollback).toContain('*The guard window is locked*');
    expect(rollback).toContain(`THREADER_GUARD_FILE=${fleet.guardFile} threader guard status`);

    const block = (failures[0]!.blocks ?? [])
      .map((b) => (b.text as { text?: string } | undefined)?.text ?? '')
      .find((t) => t.includes('```'));
    const command = unescape(/```\n([^`]+)\n```/.exec(block ?? '')?.[1] ?? '');
    expect(command).toBe(`threader rollback --config ${fleet.config} --env staging --to v2`);
    const roots = threads().length;
    const ran = await runProcess('sh', ['-c', command], {
      env: { ...env, PATH: `${binDir}:${process.env.PATH}` },
      timeoutMs: 110_000,
    });
    expect(ran.code, ran.stderr).toBe(0);
    expect(await fleet.sample(8)).toEqual({ v2: 8 });
    // Run as printed, the rollback opens no second root: the deploy's thread is the one story.
    expect(threads()).toHaveLength(roots);
  });

  it('3. a deployer killed with -9 mid-deploy and resumed narrates on in the same thread (same parent ts)', async () => {
    // The rollback of scenario 2 locked the guard: this deploy is told to go anyway, as a person would.
    const deployer = spawnThreader(
      [
        'deploy',
        '--to',
        'v4',
        '--force',
        '--reason',
        'resume test',
        '--config',
        fleet.config,
        '--env',
        'staging',
      ],
      { env },
    );
    // Killed once the canary takes traffic: its weight reply is in the thread.
    const seen = await untilSeenOrExit(
      async () =>
        threads().some(
          (t) => shown(t.parent).includes('`v4`') && t.replies.some((r) => r.text.includes('10 %')),
        )
          ? true
          : undefined,
      deployer,
      'the 10 % weight told in Slack',
    );
    expect(seen).toBe(true);
    deployer.child.kill('SIGKILL');
    await deployer.exited;
    const before = threads().filter((t) => shown(t.parent).includes('`v4`'));
    expect(before).toHaveLength(1);
    const id = /deploy `(d-[^`]+)`/.exec(shown(before[0]!.parent))?.[1] as string;
    expect(id).toBeDefined();

    const resumed = await deploy(['deploy', '--resume', id]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = threadOf(id);
    expect(after).toHaveLength(1);
    expect(after[0]!.parent.ts).toBe(before[0]!.parent.ts);
    expect(after[0]!.parent.text).toContain('succeeded');
    expect(after[0]!.replies.at(-1)?.text).toContain('deploy succeeded');
    expect(after[0]!.replies.length).toBeGreaterThan(before[0]!.replies.length);
  });

  it('4. with Slack down the deploy goes on; the thread catches up when Slack returns: every reply, in order, one parent', async () => {
    emu.faults.set({ errorRate: 1, errorStatus: 503 });
    const deployer = spawnThreader(
      [
        'deploy',
        '--to',
        'v5',
        '--force',
        '--reason',
        'outage test',
        '--config',
        fleet.config,
        '--env',
        'staging',
      ],
      { env },
    );
    // The deploy reaches its analysis while Slack has answered nothing but 503s.
    await waitFor(() => (/analysis "canary at 10%"/.test(deployer.stderr()) ? true : undefined), {
      timeoutMs: 90_000,
      what: 'the analysis step started',
    });
    expect(emu.calls({ method: 'chat.postMessage' }).some((c) => c.http_status === 503)).toBe(true);
    expect(threads().filter((t) => shown(t.parent).includes('`v5`'))).toHaveLength(0);
    emu.faults.clear();
    const exit = await deployer.exited;
    expect(exit.code, deployer.stderr()).toBe(0);
    const mine = threads().filter((t) => shown(t.parent).includes('`v5`'));
    expect(mine).toHaveLength(1);
    const thread = mine[0]!;
    expect(thread.parent.text).toContain('succeeded');
    expect(positions(thread)).toEqual(Array.from({ length: stepsOf(thread) }, (_, i) => i + 1));
    expect(thread.replies.at(-1)?.text).toContain('deploy succeeded');
  });
});
