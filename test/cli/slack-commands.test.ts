import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackEmulator, type SlackEmulator } from '../../src/emulator/index.js';
import type { DeployCard } from '../../src/notify/deploy-card.js';
import { canarySteps } from '../../src/deploy/executor-fixtures.test-suite.js';
import { openDeployStore } from '../../src/store/deploy-sqlite.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { testRecord } from '../deploy/fakes.js';
import { runThreader, stopAll, type RunResult } from '../helpers/process.js';

// `threader slack …` as a pipeline runs it: separate processes (jobs), each with its own store
// unless a test says otherwise, against the Slack emulator over HTTP.

const TOKEN = 'xoxb-pipeline-secret-7f3a';
const dir = mkdtempSync(join(tmpdir(), 'slack-cmds-'));
let emu: SlackEmulator;
let jobs = 0;

/** The environment of one CI job: nothing of the machine's own CI or Slack settings leaks in. */
function jobEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(GITHUB_|GITLAB_|CI_|SLACK_|THREADER_)/.test(k) && k !== 'CI',
    ),
  );
  return {
    ...clean,
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_API_URL: emu.url,
    THREADER_DB: join(dir, `job-${++jobs}.db`),
    ...extra,
  };
}

function slack(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<RunResult> {
  return runThreader(['slack', ...args], { env, timeoutMs });
}

/** Every run: the token never appears in anything a pipeline log would keep. */
function noSecret(r: RunResult): RunResult {
  expect(r.stdout + r.stderr).not.toContain(TOKEN);
  return r;
}

beforeAll(async () => {
  emu = await startSlackEmulator({ token: TOKEN });
});

afterAll(async () => {
  await stopAll();
  await emu.close();
});

describe('a pipeline thread across jobs', () => {
  it('opens the thread, hands its reference to later jobs, and they reply into it in order', async () => {
    const githubOutput = join(dir, 'github-output');
    const dotenv = join(dir, 'slack.env');
    writeFileSync(dotenv, 'OTHER=kept\n');
    const open = noSecret(
      await slack(
        ['thread-open', '--channel', 'C0PIPE', '--title', 'Deploy api v2 → production', '--dotenv', dotenv],
        jobEnv({ GITHUB_OUTPUT: githubOutput }),
      ),
    );
    expect(open.code).toBe(0);
    const ref = open.stdout.trim();
    expect(ref).toMatch(/^C0PIPE:\d+\.\d{6}$/);
    expect(readFileSync(githubOutput, 'utf8')).toBe(`thread=${ref}\n`);
    expect(readFileSync(dotenv, 'utf8')).toBe(`OTHER=kept\nTHREADER_SLACK_THREAD=${ref}\n`);

    // Job 2 names the thread with --thread; job 3 gets it from the dotenv artifact's variable.
    const build = await slack(
      [
        'thread-reply',
        '--thread',
        ref,
        '--stage',
        'build',
        '--status',
        'success',
        '--link',
        'Run=https://ci.example/runs/1',
      ],
      jobEnv(),
    );
    expect(noSecret(build).code).toBe(0);
    const tests = await slack(
      ['thread-reply', '--stage', 'test', '--status', 'skipped', '--text', 'docs-only change'],
      jobEnv({ THREADER_SLACK_THREAD: ref }),
    );
    expect(noSecret(tests).code).toBe(0);

    const [thread, ...others] = emu.threads('C0PIPE');
    expect(others).toHaveLength(0);
    expect(`C0PIPE:${thread?.parent.ts}`).toBe(ref);
    expect(thread?.parent.text).toBe('Deploy api v2 → production');
    expect(thread?.replies.map((r) => [r.text, r.reply_broadcast])).toEqual([
      [':white_check_mark: *build* succeeded', false],
      [':fast_forward: *test* was skipped\ndocs-only change', false],
    ]);
    expect(JSON.stringify(thread?.replies[0]?.blocks)).toContain('<https://ci.example/runs/1|Run>');
  });

  it('broadcasts a failure with the rollback command as a code block, and a stage named <!channel> mentions nobody', async () => {
    const ref = (
      await slack(['thread-open', '--channel', 'C0FAIL', '--title', 'Deploy api v3'], jobEnv())
    ).stdout.trim();
    const r = await slack(
      [
        'thread-reply',
        '--thread',
        ref,
        '--stage',
        'canary <!channel>',
        '--status',
        'failure',
        '--text',
        'http_5xx_ratio 7% > 1%',
        '--rollback-command',
        'threader rollback --config deploy.yaml --env production',
      ],
      jobEnv(),
    );
    expect(noSecret(r).code).toBe(0);
    const [reply] = emu.threads('C0FAIL')[0]?.replies ?? [];
    expect(reply?.reply_broadcast).toBe(true);
    expect(reply?.text).toBe(
      ':x: *canary &lt;!channel&gt;* failed\nhttp_5xx_ratio 7% &gt; 1%\nRoll back with:',
    );
    expect(JSON.stringify(reply?.blocks)).toContain(
      '```\\nthreader rollback --config deploy.yaml --env production\\n```',
    );
    expect(JSON.stringify(emu.messages('C0FAIL'))).not.toContain('<!channel>');
  });

  it('reuses the thread when a step of the same CI run is retried (one parent)', async () => {
    const run = {
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'acme/api',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '1',
    };
    const env = jobEnv(run);
    const first = await slack(['thread-open', '--channel', 'C0RETRY', '--title', 'Run 4242'], env);
    const again = await slack(['thread-open', '--channel', 'C0RETRY', '--title', 'Run 4242'], env);
    expect([first.code, again.code]).toEqual([0, 0]);
    expect(again.stdout).toBe(first.stdout);
    expect(emu.threads('C0RETRY')).toHaveLength(1);
  });

  it('a second thread-open of the same run with another title opens its own thread; an explicit --key reused with another title says so', async () => {
    const env = jobEnv({ GITLAB_CI: 'true', CI_PROJECT_ID: '9', CI_PIPELINE_ID: '77' });
    const deploy = await slack(['thread-open', '--channel', 'C0TITLES', '--title', 'Deploy v2'], env);
    const report = await slack(['thread-open', '--channel', 'C0TITLES', '--title', 'Nightly report'], env);
    expect([deploy.code, report.code]).toEqual([0, 0]);
    expect(report.stdout).not.toBe(deploy.stdout);
    expect(emu.threads('C0TITLES').map((t) => t.parent.text)).toEqual(['Deploy v2', 'Nightly report']);

    const keyed = await slack(['thread-open', '--channel', 'C0TITLES', '--title', 'One', '--key', 'k'], env);
    const reused = await slack(['thread-open', '--channel', 'C0TITLES', '--title', 'Two', '--key', 'k'], env);
    expect([keyed.code, reused.code]).toEqual([0, 0]);
    expect(reused.stdout).toBe(keyed.stdout);
    expect(reused.stderr).toContain('--key k: a thread was opened with this key before, titled "One"');
    expect(keyed.stderr).toBe('');
  });

  it('posts a plain summary with notify, its links clickable', async () => {
    const r = await slack(
      [
        'notify',
        '--channel',
        'C0NOTE',
        '--text',
        'Release v2 is out',
        '--link',
        'Changelog=https://example.com/v2',
      ],
      jobEnv(),
    );
    expect(noSecret(r).code).toBe(0);
    const [message] = emu.messages('C0NOTE');
    expect(r.stdout.trim()).toBe(`C0NOTE:${message?.ts}`);
    expect(message?.text).toBe('Release v2 is out');
    expect(JSON.stringify(message?.blocks)).toContain('<https://example.com/v2|Changelog>');
  });
});

describe('when Slack is slow, away or says no', () => {
  it('waits out a 429 for as long as Retry-After says, then delivers', async () => {
    const ref = (
      await slack(['thread-open', '--channel', 'C0SLOW', '--title', 'Run'], jobEnv())
    ).stdout.trim();
    emu.faults.failNext('chat.postMessage', { status: 429, retryAfter: 2 });
    const r = await slack(
      ['thread-reply', '--thread', ref, '--stage', 'build', '--status', 'success'],
      jobEnv(),
    );
    expect(noSecret(r).code).toBe(0);
    const posts = emu.calls({ method: 'chat.postMessage', channel: 'C0SLOW' }).slice(-2);
    expect(posts.map((c) => c.http_status)).toEqual([429, 200]);
    expect((posts[1]?.at_ms ?? 0) - (posts[0]?.at_ms ?? 0)).toBeGreaterThanOrEqual(2_000);
    expect(emu.threads('C0SLOW')[0]?.replies).toHaveLength(1);
  });

  it('exits 1 within --timeout while Slack is unreachable, and slack flush delivers it later', async () => {
    const down = await startSlackEmulator({ token: TOKEN });
    const downUrl = down.url;
    await down.close();
    const db = join(dir, 'offline.db');
    const started = Date.now();
    const r = await slack(
      [
        'thread-open',
        '--channel',
        'C0LATER',
        '--title',
        'Run while Slack is away',
        '--key',
        'run-1',
        '--timeout',
        '2s',
      ],
      jobEnv({ SLACK_API_URL: downUrl, THREADER_DB: db }),
    );
    expect(noSecret(r).code).toBe(1);
    // It gave up after --timeout 2s (said on stderr), not after the 30 s default; the bound only
    // tells the two apart and leaves a busy runner's process start-up plenty of room.
    expect(r.stderr).toContain('not delivered to Slack within 2s');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('still queued');
    expect(emu.messages('C0LATER')).toHaveLength(0);

    const flush = await slack(['flush', '--timeout', '20s'], jobEnv({ THREADER_DB: db }));
    expect(noSecret(flush).code).toBe(0);
    expect(emu.threads('C0LATER').map((t) => t.parent.text)).toEqual(['Run while Slack is away']);
    // The step re-run after the outage finds its thread instead of opening a second one.
    const again = await slack(
      ['thread-open', '--channel', 'C0LATER', '--title', 'Run while Slack is away', '--key', 'run-1'],
      jobEnv({ THREADER_DB: db }),
    );
    expect(again.stdout.trim()).toBe(`C0LATER:${emu.threads('C0LATER')[0]?.parent.ts}`);
    expect(emu.messages('C0LATER')).toHaveLength(1);
  });

  it('thread-reply re-run after exit 1 waits for the reply already queued: one reply once Slack is back', async () => {
    const ref = (
      await slack(['thread-open', '--channel', 'C0RERUN', '--title', 'Run'], jobEnv())
    ).stdout.trim();
    const down = await startSlackEmulator({ token: TOKEN });
    const downUrl = down.url;
    await down.close();
    const db = join(dir, 'rerun.db');
    const run = { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/api', GITHUB_RUN_ID: '99' };
    const args = [
      'thread-reply',
      '--thread',
      ref,
      '--stage',
      'deploy',
      '--status',
      'success',
      '--text',
      'v2',
    ];
    for (const _attempt of [1, 2]) {
      const r = await slack(
        [...args, '--timeout', '1s'],
        jobEnv({ ...run, SLACK_API_URL: downUrl, THREADER_DB: db }),
      );
      expect(noSecret(r).code).toBe(1);
    }
    // The third run meets Slack again: it delivers the one queued row and waits for that.
    const back = await slack(args, jobEnv({ ...run, THREADER_DB: db }));
    expect(noSecret(back).code).toBe(0);
    const flush = await slack(['flush', '--timeout', '10s'], jobEnv({ THREADER_DB: db }));
    expect(flush.code).toBe(0);
    expect(emu.threads('C0RERUN')[0]?.replies.map((r) => r.text)).toEqual([
      ':white_check_mark: *deploy* succeeded\nv2',
    ]);
  });

  it('slack flush also delivers a deploy thread a deploy command left queued (its newest card)', async () => {
    const db = join(dir, 'deploy-left.db');
    const store = new SqliteStore({ path: db });
    await store.init();
    const card: DeployCard = {
      id: 'dep-1',
      service: 'api',
      env: 'production',
      strategy: 'canary',
      from: 'v1',
      to: 'v2',
      by: 'alice',
      status: 'running',
      startedAt: Date.now(),
      finishedAt: null,
    };
    await store.openThread({
      id: 'deploy:dep-1',
      kind: 'deploy',
      threadKey: 'deploy:dep-1',
      channel: 'C0DEPLOY',
      parentTs: null,
      state: card,
      now: Date.now(),
    });
    await store.enqueue('deploy:dep-1', 'reply', { type: 'approved', by: 'bob' }, Date.now());
    await store.enqueue(
      'deploy:dep-1',
      'update_parent',
      { ...card, status: 'succeeded', finishedAt: Date.now() },
      Date.now(),
    );
    await store.close();
    // The deploy's record, which never learnt its thread (Slack was down while it ran).
    const deploysDb = join(dir, 'deploy-left-records.db');
    const deploys = await openDeployStore(deploysDb);
    await deploys.create(testRecord(canarySteps, { id: 'dep-1', status: 'succeeded', finishedAt: 1 }));
    await deploys.close();

    const flush = await slack(['flush'], jobEnv({ THREADER_DB: db, THREADER_DEPLOY_DB: deploysDb }));
    expect(noSecret(flush).code).toBe(0);
    const [thread, ...others] = emu.threads('C0DEPLOY');
    expect(others).toHaveLength(0);
    expect(thread?.parent.text).toContain('succeeded');
    expect(thread?.replies.map((r) => r.text)).toEqual([expect.stringContaining('approved by bob')]);
    // …and the record now links the thread flush posted (the dashboard's link to Slack).
    expect(flush.stderr).toContain('linked 1 deploy record(s) to their Slack thread');
    const after = await openDeployStore(deploysDb);
    expect((await after.get('dep-1'))?.threadRef).toBe(`C0DEPLOY:${thread?.parent.ts}`);
    await after.close();
  });

  it('exits 3 naming Slack’s error when the channel does not exist', async () => {
    emu.deleteChannel('C0GONE');
    const started = Date.now();
    const r = await slack(
      ['thread-open', '--channel', 'C0GONE', '--title', 'Run', '--timeout', '20s'],
      jobEnv(),
    );
    expect(noSecret(r).code).toBe(3);
    expect(r.stderr).toContain('Slack refused: channel_not_found (channel C0GONE)');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('usage errors exit 2 before anything is posted', () => {
  it.each([
    [
      'a missing token names both ways to give one',
      ['notify', '--channel', 'C0X', '--text', 'hi'],
      { SLACK_BOT_TOKEN: '' },
      'SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE',
    ],
    [
      'a malformed reference names --thread',
      ['thread-reply', '--thread', 'C0X-17', '--stage', 's', '--status', 'success'],
      {},
      '--thread: "C0X-17" is not a thread reference',
    ],
    [
      'an unknown status lists the valid ones',
      ['thread-reply', '--thread', 'C0X:1700000000.000100', '--stage', 's', '--status', 'ok'],
      {},
      'must be one of success, failure, cancelled, skipped',
    ],
    [
      'a channel name instead of an ID is refused',
      ['thread-open', '--channel', '#deploys', '--title', 't'],
      {},
      'must be a Slack channel ID',
    ],
    [
      'a link that is not http(s) is refused',
      ['notify', '--channel', 'C0X', '--text', 'hi', '--link', 'x=javascript:alert(1)'],
      {},
      'is not an http(s) URL',
    ],
  ])('%s', async (_name, args, extra, said) => {
    const before = emu.stats().total;
    const r = await slack(args, jobEnv(extra));
    expect(noSecret(r).code).toBe(2);
    expect(r.stderr).toContain(said);
    expect(emu.stats().total).toBe(before);
  });
});
