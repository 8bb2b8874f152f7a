import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../deploy/harness.js';
import { nginxMissing } from '../helpers/nginx.js';
import { anyMissing, requireTool, runs, suiteTitle } from '../helpers/require-tool.js';
import { repoRoot, runThreader, spawnThreader, stopAll, threaderBin } from '../helpers/process.js';
import { runWorkflow, type JobRun } from './run-github.js';
import { GitlabPipeline } from './run-gitlab.js';

/**
 * The deploy pipelines as they run: the shell steps of .github/workflows/deploy.yml and of the
 * GitLab deploy jobs executed by bash, `threader` on PATH (this checkout's bin/threader.js), Slack
 * the emulator, the fleet real nginx in front of test-service instances. Each scenario reads the
 * Slack thread the run left behind.
 */

const TOKEN = 'xoxb-pipeline-harness';
const workflow = join(repoRoot, '.github/workflows/deploy.yml');

interface Message {
  ts: string;
  text?: string;
  blocks?: unknown[];
  reply_broadcast?: boolean;
}
interface Thread {
  parent: Message;
  replies: Message[];
}

/** All a reader sees of a message: its text and its blocks. */
const shown = (m: Message) => `${m.text ?? ''}\n${JSON.stringify(m.blocks ?? [])}`;

// The pipelines' shell steps read `threader status --json` with jq, as the runners do.
const missing = anyMissing(
  nginxMissing(),
  requireTool('jq', { install: 'jq', check: runs('jq', '--version') }),
);
describe.skipIf(missing !== undefined)(
  suiteTitle('deploy pipelines run against a real fleet', missing),
  () => {
    let fleet: Fleet;
    let emulatorUrl: string;
    let work: string;
    let baseEnv: NodeJS.ProcessEnv;
    let runId = 100;

    beforeAll(async () => {
      fleet = await startFleet({
        instances: 3,
        provider: 'scrape',
        strategy: {
          default: 'rolling',
          rolling: { maxSurge: '34%', maxUnavailable: '0%', drainDelay: '200ms' },
          canary: { tags: ['canary'], steps: [{ setWeight: 20 }, { analysis: {} }], drainDelay: '200ms' },
        },
      });
      const emulator = spawnThreader(['slack-emulator', '--port', '0', '--no-rate-limits', '--token', TOKEN]);
      emulatorUrl = (await emulator.waitForLine(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/, 15_000)).trim();
      work = mkdtempSync(join(tmpdir(), 'pipeline-run-'));
      const bin = join(work, 'bin');
      mkdirSync(bin);
      symlinkSync(threaderBin, join(bin, 'threader'));
      // The runner's environment: nothing of this test process's Slack or threader settings.
      const clean = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !/^(SLACK_|THREADER_|GITHUB_|GITLAB_|CI_)/.test(k)),
      );
      baseEnv = { ...clean, PATH: `${bin}:${process.env.PATH}` };
    });
    afterAll(async () => {
      await fleet?.stop();
      await stopAll();
    });

    async function threads(channel: string): Promise<Thread[]> {
      const res = await fetch(`${emulatorUrl.replace(/api\/$/, '')}_emulator/threads?channel=${channel}`);
      return (await res.json()) as Thread[];
    }

    /** The thread a run opened: the one whose reference thread-open printed (CHANNEL:TS). */
    async function threadOf(ref: string | undefined): Promise<Thread> {
      const channel = ref?.slice(0, ref.lastIndexOf(':')) ?? '';
      const thread = (await threads(channel)).find((t) => `${channel}:${t.parent.ts}` === ref);
      expect(thread, `the thread ${ref} the run opened`).toBeDefined();
      return thread as Thread;
    }

    // Each scenario sets the state it starts from: no scenario leans on what an earlier one left.

    async function guardOpen(): Promise<void> {
      const r = await runThreader([
        'guard',
        'unlock',
        '--force',
        '--reason',
        'test: start unlocked',
        '--lock-file',
        fleet.guardFile,
      ]);
      expect(r.code, r.stderr).toBe(0);
    }

    async function guardLocked(): Promise<void> {
      const r = await runThreader([
        'guard',
        'lock',
        '30m',
        '--reason',
        'test: the fleet is recovering',
        '--lock-file',
        fleet.guardFile,
      ]);
      expect(r.code, r.stderr).toBe(0);
    }

    /** The fleet on `version` (a deploy without Slack; nothing to do when it already is). */
    async function fleetOn(version: string): Promise<void> {
      await guardOpen();
      const r = await fleet.deploy(['deploy', '--to', version, '--no-slack', '--json']);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(await fleet.sample(6)).toEqual({ [version]: 6 });
    }

    function github(inputs: { environment: string; strategy: string; version: string }) {
      runId++;
      return runWorkflow({
        file: workflow,
        run: ['open-thread', 'deploy-staging', 'deploy-production', 'rollback', 'flush'],
        // npm ci, the type-check and the unit tests: CI runs them for real, not this harness.
        assume: { build: { result: 'success' } },
        inputs,
        vars: {
          THREADER_DEPLOY_CONFIG: fleet.config,
          SLACK_CHANNEL_STAGING: 'C_GH_STAGING',
          SLACK_CHANNEL_PRODUCTION: 'C_GH_PRODUCTION',
          THREADER_GUARD_FILE: fleet.guardFile,
          SMOKE_URL_STAGING: `${fleet.nginx.url}/`,
          SLACK_API_URL: emulatorUrl,
          // The deployer host's persistent outbox, shared by its jobs (one runner here).
          THREADER_DB: join(work, 'github-deployer.db'),
        },
        secrets: { SLACK_BOT_TOKEN: TOKEN },
        github: {
          server_url: 'https://github.test',
          repository: 'acme/alert-threader',
          run_id: String(runId),
          run_attempt: '1',
          actor: 'octocat',
        },
        baseEnv,
        workDir: work,
      });
    }

    const logOf = (run: JobRun | undefined) =>
      (run?.steps ?? []).map((s) => `--- ${s.name}: ${s.outcome}\n${s.log}`).join('\n');

    it('GitHub: a good canary leaves one thread — the live card as its root, the deploy’s stage replies, the job’s reply — and nothing else', async () => {
      await fleetOn('v1');
      const roots = (await threads('C_GH_STAGING')).length;
      const jobs = await github({ environment: 'staging', strategy: 'canary', version: 'v2' });
      expect(jobs['deploy-staging']?.result, logOf(jobs['deploy-staging'])).toBe('success');
      expect(jobs['open-thread']?.outputs.thread).toMatch(/^C_GH_STAGING:\d+\.\d+$/);
      expect(jobs['deploy-production']?.result).toBe('skipped');
      expect(jobs.rollback?.result).toBe('skipped');
      expect(jobs.flush?.result, logOf(jobs.flush)).toBe('success');
      expect(logOf(jobs.flush)).toContain('nothing left queued for Slack');
      expect(await fleet.sample(6)).toEqual({ v2: 6 });

      expect(await threads('C_GH_STAGING')).toHaveLength(roots + 1);
      const thread = await threadOf(jobs['open-thread']?.outputs.thread);
      // The deploy adopted the pipeline's thread: its root now shows the deploy card.
      expect(shown(thread.parent)).toContain('v2');
      const replies = thread.replies.map(shown);
      expect(replies.filter((r) => r.includes('deploy staging'))).toHaveLength(1);
      expect(replies.some((r) => /analysis/i.test(r))).toBe(true);
      expect(thread.replies.some((r) => r.reply_broadcast)).toBe(false);
      expect(new Set(replies).size).toBe(replies.length);
      expect(await threads('C_GH_PRODUCTION')).toEqual([]);
    });

    it('GitHub: a bad canary fails its analysis — a broadcast failure reply, the rollback job finds the deploy reverted itself and posts the rollback command', async () => {
      await fleetOn('v2');
      const roots = (await threads('C_GH_STAGING')).length;
      const jobs = await github({ environment: 'staging', strategy: 'canary', version: 'v3-bad' });
      expect(jobs['deploy-staging']?.result, logOf(jobs['deploy-staging'])).toBe('failure');
      expect(jobs.rollback?.result, logOf(jobs.rollback)).toBe('success');
      expect(await fleet.sample(6)).toEqual({ v2: 6 });

      expect(await threads('C_GH_STAGING')).toHaveLength(roots + 1);
      const thread = await threadOf(jobs['open-thread']?.outputs.thread);
      const broadcast = thread.replies.filter((r) => r.reply_broadcast).map(shown);
      expect(broadcast.some((r) => r.includes('http_5xx_ratio'))).toBe(true);
      const rollback = thread.replies.map(shown).filter((r) => r.includes('rollback staging'));
      expect(rollback).toHaveLength(1);
      expect(rollback[0]).toContain('reverted itself');
      expect(rollback[0]).toContain(`threader rollback --config ${fleet.config} --env staging --to v2`);
    });

    it('GitHub: while the guard is locked the deploy job stops at `threader guard status`; nothing is deployed or rolled back', async () => {
      await fleetOn('v2');
      await guardLocked();
      const roots = (await threads('C_GH_STAGING')).length;
      const jobs = await github({ environment: 'staging', strategy: 'canary', version: 'v4' });
      const deploy = jobs['deploy-staging'];
      expect(deploy?.result, logOf(deploy)).toBe('failure');
      expect(deploy?.steps.find((s) => s.name === 'Guard window open?')?.outcome).toBe('failure');
      expect(deploy?.steps.find((s) => s.name === 'Deploy')?.outcome).toBe('skipped');
      expect(jobs.rollback?.result).toBe('skipped');
      expect(await threads('C_GH_STAGING')).toHaveLength(roots + 1);
      const thread = await threadOf(jobs['open-thread']?.outputs.thread);
      const reply = thread.replies.map(shown).filter((r) => r.includes('deploy staging'));
      expect(reply).toHaveLength(1);
      expect(thread.replies.find((r) => shown(r).includes('deploy staging'))?.reply_broadcast).toBe(true);
      expect(await fleet.sample(6)).toEqual({ v2: 6 });
    });

    it('GitLab (staging branch): the thread ref crosses jobs in a dotenv artifact; a failed smoke test after a good deploy rolls back to the version before and posts the command', async () => {
      await fleetOn('v2');
      const roots = (await threads('C_GL_STAGING')).length;
      const pipeline = new GitlabPipeline({
        branch: 'staging',
        variables: {
          SLACK_BOT_TOKEN: TOKEN,
          SLACK_API_URL: emulatorUrl,
          SLACK_CHANNEL_STAGING: 'C_GL_STAGING',
          SLACK_CHANNEL_PRODUCTION: 'C_GL_PRODUCTION',
          DEPLOY_CONFIG: fleet.config,
          THREADER_GUARD_FILE: fleet.guardFile,
          // Nothing listens there: the smoke test fails after its retries.
          SMOKE_URL_STAGING: 'http://127.0.0.1:9/',
          CI_COMMIT_SHORT_SHA: 'v5',
          CI_PIPELINE_ID: '77',
          CI_PROJECT_ID: '9',
          CI_PIPELINE_URL: 'https://gitlab.test/acme/alert-threader/-/pipelines/77',
          GITLAB_USER_LOGIN: 'tanuki',
          THREADER_DB: join(work, 'gitlab-deployer.db'),
        },
        baseEnv,
        workDir: work,
      });
      const open = await pipeline.run('slack:open');
      expect(open.status, open.log).toBe('success');
      expect(open.dotenv.THREADER_SLACK_THREAD).toMatch(/^C_GL_STAGING:\d+\.\d+$/);
      const deploy = await pipeline.run('deploy:staging');
      expect(deploy.status, deploy.log).toBe('failed');
      expect(deploy.log).toContain('succeeded');
      const rollback = await pipeline.run('rollback:staging');
      expect(rollback.status, rollback.log).toBe('success');
      const monitor = await pipeline.run('monitor');
      expect(monitor.ran).toBe(true);
      expect(await fleet.sample(6)).toEqual({ v2: 6 });

      expect(await threads('C_GL_STAGING')).toHaveLength(roots + 1);
      const thread = await threadOf(open.dotenv.THREADER_SLACK_THREAD);
      const replies = thread.replies.map(shown);
      expect(replies.filter((r) => r.includes('deploy:staging'))).toHaveLength(1);
      const posted = replies.filter((r) => r.includes('rollback staging'));
      expect(posted).toHaveLength(1);
      expect(posted[0]).toContain('rolled back to v2');
      expect(posted[0]).toContain(`threader rollback --config ${fleet.config} --env staging --to v2`);
      expect(replies.some((r) => r.includes('monitor'))).toBe(true);
      expect(await threads('C_GL_PRODUCTION')).toEqual([]);
    });
  },
);
