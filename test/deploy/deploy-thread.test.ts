import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../src/emulator/index.js';
import type { MessageView, ThreadView } from '../../src/emulator/types.js';
import { nginxMissing } from '../helpers/nginx.js';
import { anyMissing, suiteTitle } from '../helpers/require-tool.js';
import {
  runProcess,
  runThreader,
  spawnThreader,
  stopAll,
  threaderBin,
  type RunResult,
} from '../helpers/process.js';
import { startFleet, untilSeenOrExit, type Fleet } from './harness.js';

/**
 * Deploy threads end to end: `threader deploy` as a pipeline runs it (a real process, real nginx, a
 * steady load) narrating into the project's Slack emulator. Each scenario reads the thread the
 * deploy left behind, as a person in the channel would, and states the fleet it starts from (the
 * version every instance runs, the guard open) so it holds when run alone (`-t`).
 *
 * The canary is judged by the direct scrape of its own /metrics: the thread is under test here,
 * not Prometheus, and the deployer's own scrapes leave no scrape-timing race on a busy runner.
 */
const missing = anyMissing(nginxMissing());
const title = 'threader deploy narrated in one Slack thread (emulator)';
const CHANNEL = 'C0DEPLOYS';

interface RecordJson {
  id: string;
  status: string;
  steps: number;
  toVersion: string;
  threadRef?: string;
  rollbackOf?: string;
  createdAt: string;
  finishedAt: string | null;
}

describe.skipIf(missing !== undefined)(suiteTitle(title, missing), () => {
  let fleet: Fleet;
  let emu: SlackEmulator;
  let env: NodeJS.ProcessEnv;
  let binDir: string;

  beforeAll(async () => {
    fleet = await startFleet({
      instances: 4,
      provider: 'scrape',
      strategy: {
        default: 'canary',
        rolling: { maxSurge: '25%', maxUnavailable: '25%', drainDelay: '300ms' },
        canary: { tags: ['canary'], steps: [{ setWeight: 10 }, { analysis: {} }], drainDelay: '300ms' },
      },
      // Two measurements 2 s apart, each over 4 s of a 10 % canary (about 40 app requests): a 20 %
      // error rate shows in every window, a good canary has none.
      analysis: { count: 2, interval: '2s' },
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
  });
  afterAll(async () => {
    await fleet?.stop();
    await emu?.close();
    await stopAll();
  });

  function deploy(args: string[]): Promise<RunResult> {
    return runThreader([...args, '--config', fleet.config, '--env', 'staging'], { env, timeoutMs: 110_000 });
  }
  function spawnDeploy(args: string[]) {
    return spawnThreader([...args, '--config', fleet.config, '--env', 'staging'], { env });
  }
  const recordOf = (run: { stdout: string }): RecordJson => JSON.parse(run.stdout.trim()) as RecordJson;

  /**
   * The start state of a scenario, set up explicitly: the guard open (a person unlocks it once the
   * fleet has recovered) and every instance on `version` (a rolling deploy without Slack, so it
   * leaves no thread).
   */
  async function startOn(version: string): Promise<void> {
    const guard = ['--lock-file', fleet.guardFile];
    if ((await runThreader(['guard', 'status', ...guard])).code === 1) {
      const unlock = await runThreader([
        'guard',
        'unlock',
        '--force',
        '--reason',
        'the scenario starts unlocked',
        ...guard,
      ]);
      expect(unlock.code, unlock.stderr).toBe(0);
    }
    if ((await fleet.sample(8))[version] === 8) return;
    const run = await deploy(['deploy', '--to', version, '--strategy', 'rolling', '--no-slack']);
    expect(run.code, run.stderr).toBe(0);
    await fleet.servingOnly(version);
  }

  const threads = (): ThreadView[] => emu.threads(CHANNEL);
  /** Every root in the channel (not only those naming a deploy): a stray second root shows too. */
  const roots = (): number => threads().length;
  const shown = (m: MessageView): string => JSON.stringify({ text: m.text, blocks: m.blocks });
  /** The thread whose card names the deploy. */
  const threadOf = (id: string): ThreadView[] => threads().filter((t) => shown(t.parent).includes(id));
  const threadAt = (ref: string | undefined): ThreadView | undefined =>
    threads().find((t) => `${CHANNEL}:${t.parent.ts}` === ref);
  /** "3/7" positions the stage replies carry, in the order they were posted. */
  const positions = (t: ThreadView): number[] =>
    t.replies
      .map((r) => /^:[a-z_]+: (\d+)\/\d+ /.exec(r.text)?.[1])
      .filter(Boolean)
      .map(Number);
  const stepsOf = (t: ThreadView): number =>
    Number(/^:[a-z_]+: \d+\/(\d+) /.exec(t.replies[0]?.text ?? '')?.[1]);
  const replyTexts = (t: ThreadView): string => t.replies.map((r) => r.text).join('\n');
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

  it('1. a successful canary leaves exactly one thread: the card says succeeded, one reply per stage, no duplicates', async () => {
    await startOn('v1');
    const before = roots();
    const run = await deploy(['deploy', '--to', 'v2', '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const record = recordOf(run);
    expect(roots(), JSON.stringify(threads().map((t) => t.parent.text))).toBe(before + 1);
    const mine = threadOf(record.id);
    expect(mine).toHaveLength(1);
    const thread = mine[0]!;
    expect(record.threadRef).toBe(`${CHANNEL}:${thread.parent.ts}`);
    expect(thread.parent.text).toContain('svc v1 → v2 to staging: succeeded');
    expect(thread.parent.edits.length).toBeGreaterThan(0);
    // Every step of the plan told once, in order, then the end.
    expect(positions(thread), replyTexts(thread)).toEqual(
      Array.from({ length: record.steps }, (_, i) => i + 1),
    );
    expect(new Set(thread.replies.map((r) => r.text)).size).toBe(thread.replies.length);
    expect(thread.replies.some((r) => r.text.includes('analysis `canary at 10%`: *Successful*'))).toBe(true);
    expect(thread.replies.at(-1)?.text).toMatch(/^:white_check_mark: deploy succeeded: `v2` after/);
    expect(thread.replies.every((r) => !r.reply_broadcast)).toBe(true);
    expect(thread.replies.every((r) => r.thread_ts === thread.parent.ts && !r.thread_ts_was_reply)).toBe(
      true,
    );
  });

  it('2. a failed canary broadcasts the failing check with its values, shows the guard lock, and its rollback command runs as printed', async () => {
    await startOn('v2');
    const before = roots();
    const run = await deploy(['deploy', '--to', 'v3-bad', '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const record = recordOf(run);
    expect(record.status, run.stdout).toBe('rolled-back');
    expect(roots()).toBe(before + 1);
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

    // Run right after the automatic revert the command has nothing to do. Later, once the guard is
    // released and a version someone wants undone has gone out, it is the way back to v2.
    await startOn('v2');
    const later = await deploy(['deploy', '--to', 'v2.6', '--strategy', 'rolling', '--json']);
    expect(later.code, later.stdout + later.stderr).toBe(0);
    const undone = recordOf(later);
    const laterThread = threadAt(undone.threadRef);
    expect(laterThread, `${undone.threadRef} among ${threads().length} roots`).toBeDefined();
    const repliesBefore = laterThread!.replies.length;
    const rootsBefore = roots();

    const ran = await runProcess('sh', ['-c', command], {
      env: { ...env, PATH: `${binDir}:${process.env.PATH}` },
      timeoutMs: 110_000,
    });
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stderr).not.toContain('nothing to do');
    expect(await fleet.sample(8)).toEqual({ v2: 8 });
    const status = await runThreader(['status', '--json', '--env', 'staging', '--config', fleet.config]);
    const [newest] = (JSON.parse(status.stdout) as { deploys: RecordJson[] }).deploys;
    expect(newest, status.stdout).toMatchObject({
      toVersion: 'v2',
      status: 'succeeded',
      rollbackOf: undone.id,
    });
    // The rollback tells its story under the thread of the deploy it undoes: no second root.
    expect(roots()).toBe(rootsBefore);
    const after = threadAt(undone.threadRef)!;
    expect(newest!.threadRef).toBe(undone.threadRef);
    const rollbackThread = { ...after, replies: after.replies.slice(repliesBefore) };
    expect(positions(rollbackThread), replyTexts(after)).toEqual(
      Array.from({ length: newest!.steps }, (_, i) => i + 1),
    );
    // It says what it is: who rolls back what, from where to where, and how to look at it; and it
    // ends as a rollback, not as a second "deploy succeeded" in the undone deploy's thread.
    expect(rollbackThread.replies[0]?.text).toBe(
      `:leftwards_arrow_with_hook: rollback \`${newest!.id}\` by e2e: \`v2.6\` → \`v2\` (rollback to v2), undoing \`${undone.id}\``,
    );
    expect(shown(rollbackThread.replies[0]!)).toContain(
      `threader status ${newest!.id} --config ${fleet.config}`,
    );
    expect(rollbackThread.replies.at(-1)?.text).toMatch(/^:white_check_mark: rollback succeeded: `v2` after/);
    expect(replyTexts(after)).not.toMatch(/deploy succeeded: `v2` after/);
    expect(after.replies.every((r) => r.thread_ts === after.parent.ts)).toBe(true);
    // The parent stays the card of the deploy that was undone.
    expect(after.parent.text).toContain('svc v2 → v2.6 to staging');
  });

  it('3. a deployer killed with -9 mid-deploy and resumed narrates on in the same thread (same parent ts)', async () => {
    await startOn('v3');
    const before = roots();
    const deployer = spawnDeploy(['deploy', '--to', 'v4']);
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
    const killed = threads().filter((t) => shown(t.parent).includes('`v4`'));
    expect(killed).toHaveLength(1);
    const id = /deploy `(d-[^`]+)`/.exec(shown(killed[0]!.parent))?.[1] as string;
    expect(id).toBeDefined();

    const resumed = await deploy(['deploy', '--resume', id, '--json']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(roots()).toBe(before + 1);
    const after = threadOf(id);
    expect(after).toHaveLength(1);
    const thread = after[0]!;
    expect(thread.parent.ts).toBe(killed[0]!.parent.ts);
    expect(recordOf(resumed).threadRef).toBe(`${CHANNEL}:${thread.parent.ts}`);
    expect(thread.parent.text).toContain('succeeded');
    expect(thread.replies.at(-1)?.text).toContain('deploy succeeded');
    expect(thread.replies.length).toBeGreaterThan(killed[0]!.replies.length);
    // Every step told, in order: only the step the kill interrupted may be told a second time.
    const told = positions(thread);
    const repeats = told.filter((p, i) => i > 0 && p === told[i - 1]);
    expect(repeats.length, replyTexts(thread)).toBeLessThanOrEqual(1);
    expect(
      told.every((p, i) => i === 0 || p >= told[i - 1]!),
      replyTexts(thread),
    ).toBe(true);
    expect([...new Set(told)]).toEqual(Array.from({ length: stepsOf(thread) }, (_, i) => i + 1));
    const texts = thread.replies.map((r) => r.text);
    const twice = texts.filter((t, i) => texts.indexOf(t) !== i);
    expect(twice.length, replyTexts(thread)).toBeLessThanOrEqual(1);
    if (twice.length === 1) expect(twice[0]).toMatch(new RegExp(`^:[a-z_]+: ${repeats[0]}/`));
  });

  it('4. with Slack down the deploy completes on its own time; the queued thread is delivered by `threader slack flush`: every reply, in order, one parent; a later rollback finds that thread, replies under it and writes it on the record', async () => {
    await startOn('v4');
    const before = roots();
    emu.faults.set({ errorRate: 1, errorStatus: 503 });
    const started = Date.now();
    const deployer = spawnDeploy(['deploy', '--to', 'v5', '--json', '--slack-wait', '2s']);
    const exit = await deployer.exited;
    const wallMs = Date.now() - started;
    // Slack answered nothing but 503 until the deploy process had exited.
    expect(emu.calls({ method: 'chat.postMessage' }).some((c) => c.http_status === 503)).toBe(true);
    expect(roots()).toBe(before);
    emu.faults.clear();

    expect(exit.code, deployer.stdout() + deployer.stderr()).toBe(0);
    const record = recordOf({ stdout: deployer.stdout() });
    expect(record.status).toBe('succeeded');
    // The process outlived its deploy by the 2 s --slack-wait and start-up, not by Slack's retries.
    const deployMs = Date.parse(record.finishedAt!) - Date.parse(record.createdAt);
    expect(wallMs - deployMs, `wall ${wallMs} ms, deploy ${deployMs} ms`).toBeLessThan(2_000 + 8_000);
    expect(deployer.stderr()).toMatch(/not delivered within --slack-wait 2s: still queued in THREADER_DB/);

    const flush = await runThreader(['slack', 'flush', '--timeout', '60s'], { env, timeoutMs: 90_000 });
    expect(flush.code, flush.stdout + flush.stderr).toBe(0);
    expect(roots()).toBe(before + 1);
    const mine = threadOf(record.id);
    expect(mine).toHaveLength(1);
    const thread = mine[0]!;
    expect(thread.parent.text).toContain('svc v4 → v5 to staging: succeeded');
    expect(positions(thread), replyTexts(thread)).toEqual(
      Array.from({ length: record.steps }, (_, i) => i + 1),
    );
    expect(new Set(thread.replies.map((r) => r.text)).size).toBe(thread.replies.length);
    expect(thread.replies.at(-1)?.text).toContain('deploy succeeded');

    // Its record never got the thread (flush knows no deploy records), yet the rollback finds it in
    // the thread store, replies under it, and writes it onto the record.
    const rolled = await deploy(['rollback', '--json']);
    expect(rolled.code, rolled.stdout + rolled.stderr).toBe(0);
    const rollback = recordOf(rolled);
    expect(rollback.rollbackOf).toBe(record.id);
    expect(roots()).toBe(before + 1);
    const ref = `${CHANNEL}:${thread.parent.ts}`;
    expect(rollback.threadRef).toBe(ref);
    const after = threadAt(ref)!;
    const told = after.replies.slice(thread.replies.length);
    expect(told[0]?.text).toContain(`rollback \`${rollback.id}\` by e2e: \`v5\` → `);
    expect(told.at(-1)?.text).toMatch(/^:white_check_mark: rollback succeeded: /);
    const status = await runThreader(['status', record.id, '--json', '--config', fleet.config]);
    const [undone] = (JSON.parse(status.stdout) as { deploys: RecordJson[] }).deploys;
    expect(undone?.threadRef, status.stdout).toBe(ref);
  });
});
