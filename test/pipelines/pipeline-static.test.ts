import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOnly } from '../../src/cli/main.js';
import { repoRoot } from '../helpers/process.js';
import {
  allScripts,
  needName,
  needsOf,
  readGitlab,
  readWorkflow,
  workflowDir,
  workflowFiles,
  type GlJob,
} from './pipeline-files.js';
import { assignmentsFor } from './ci-values.js';
import { threaderInvocations } from './shell-words.js';

/**
 * The pipeline files as GitHub, GitLab and threader itself would read them: schema-valid, every
 * reference resolving, every `threader …` line a command the real CLI accepts.
 */

const validator = join(repoRoot, 'node_modules/.bin/action-validator');

function validate(file: string): { ok: boolean; output: string } {
  try {
    execFileSync(validator, [file], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, output: '' };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('GitHub Actions workflows', () => {
  const files = [...workflowFiles(), join(repoRoot, '.github/actions/setup-threader/action.yml')];

  it('there is a CI workflow and a deploy workflow', () => {
    expect(workflowFiles().map((f) => f.slice(workflowDir.length + 1))).toEqual(
      expect.arrayContaining(['ci.yml', 'deploy.yml']),
    );
  });

  it.each(files.map((f) => [f.slice(repoRoot.length), f]))(
    '%s passes the GitHub Actions schema check (action-validator)',
    (_name, file) => {
      const result = validate(file);
      expect(result.output).toBe('');
      expect(result.ok).toBe(true);
    },
  );

  it('the schema check does refuse a broken workflow (it is not a no-op)', () => {
    const bad = join(repoRoot, 'test/pipelines/fixtures/broken-workflow.yml');
    const result = validate(bad);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('stepz');
  });

  it.each(workflowFiles().map((f) => [f.slice(repoRoot.length), f]))(
    '%s: every needs names a job of the workflow',
    (_name, file) => {
      const wf = readWorkflow(file);
      for (const [name, job] of Object.entries(wf.jobs))
        for (const need of needsOf(job))
          expect(Object.keys(wf.jobs), `${name} needs ${need}`).toContain(need);
    },
  );

  it.each(workflowFiles().map((f) => [f.slice(repoRoot.length), f]))(
    '%s: no expression is pasted into a run script (script injection), secrets reach steps only through env',
    (_name, file) => {
      const wf = readWorkflow(file);
      const misplaced: string[] = [];
      const walk = (node: unknown, path: string[]) => {
        if (typeof node === 'string') {
          if (path.at(-1) === 'run' && node.includes('${{'))
            misplaced.push(`${path.join('.')}: expression in run`);
          if (/\bsecrets\./.test(node) && path.at(-2) !== 'env')
            misplaced.push(`${path.join('.')}: secret outside env`);
          return;
        }
        if (Array.isArray(node)) node.forEach((v, i) => walk(v, [...path, String(i)]));
        else if (node && typeof node === 'object')
          for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
      };
      walk(wf, []);
      expect(misplaced).toEqual([]);
    },
  );

  it('CI runs lint, type-check, the tests, the security gate, the quick bench and the Node 24 units', () => {
    const wf = readWorkflow(join(workflowDir, 'ci.yml'));
    const runs = Object.values(wf.jobs).flatMap((j) => (j.steps ?? []).map((s) => s.run ?? ''));
    for (const expected of [
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npm test',
      'npm run security',
      'npm run bench:quick',
      'scripts/node24-unit.sh',
      'apt-get install',
    ])
      expect(
        runs.some((r) => r.includes(expected)),
        expected,
      ).toBe(true);
  });

  it('deploy: dispatched with environment, strategy and version; production behind a GitHub Environment; a rollback job on failure; a reply from every job', () => {
    const wf = readWorkflow(join(workflowDir, 'deploy.yml'));
    const inputs = (wf.on.workflow_dispatch as { inputs: Record<string, { options?: string[] }> }).inputs;
    expect(inputs.environment?.options).toEqual(['staging', 'production']);
    expect(inputs.strategy?.options).toEqual(['rolling', 'canary', 'blue-green']);
    expect(inputs.version).toBeDefined();
    expect(wf.jobs['deploy-production']?.environment).toBe('production');
    expect(needsOf(wf.jobs['deploy-production'] ?? {})).toContain('deploy-staging');
    expect(wf.jobs.rollback?.if).toContain('failure()');
    expect(wf.jobs['open-thread']?.outputs?.thread).toContain('steps.thread.outputs.thread');
    for (const [name, job] of Object.entries(wf.jobs)) {
      if (name === 'open-thread' || name === 'flush') continue;
      const reply = (job.steps ?? []).find((s) => s.run?.includes('threader slack thread-reply'));
      expect(reply, `${name} replies in the thread`).toBeDefined();
      expect(reply?.if, `${name}'s reply runs whatever happened`).toBe('always()');
    }
    const deploySteps = (job: string) => (wf.jobs[job]?.steps ?? []).map((s) => s.run ?? '').join('\n');
    for (const job of ['deploy-staging', 'deploy-production']) {
      const script = deploySteps(job);
      expect(script.indexOf('threader guard status')).toBeGreaterThanOrEqual(0);
      expect(script.indexOf('threader guard status')).toBeLessThan(script.indexOf('threader deploy'));
      expect(script).toContain('--slack-thread "$THREADER_SLACK_THREAD"');
      expect(script).toMatch(/threader retry 3 5 /);
    }
    expect(deploySteps('rollback')).toContain('threader rollback');
    expect(deploySteps('rollback')).toContain('--rollback-command');
    expect(deploySteps('rollback')).toContain('--print-command');
  });

  it('deploy: jobs on the deployer host keep their Slack outbox (THREADER_DB) outside the checkout, and a last job on that host flushes it whatever happened', () => {
    const wf = readWorkflow(join(workflowDir, 'deploy.yml'));
    const deployer = Object.entries(wf.jobs).filter(([, j]) =>
      String(j['runs-on']).includes('THREADER_DEPLOY_RUNNER'),
    );
    expect(deployer.map(([n]) => n).sort()).toEqual([
      'deploy-production',
      'deploy-staging',
      'flush',
      'rollback',
    ]);
    for (const [name, job] of deployer)
      expect(job.env?.THREADER_DB, name).toBe("${{ vars.THREADER_DB || '/var/lib/threader/cli.db' }}");
    const flush = wf.jobs.flush;
    expect(flush?.if).toContain('always()');
    expect(needsOf(flush ?? {}).sort()).toEqual(
      Object.keys(wf.jobs)
        .filter((j) => j !== 'flush')
        .sort(),
    );
    expect((flush?.steps ?? []).some((s) => s.run?.includes('threader slack flush'))).toBe(true);
  });
});

describe('.gitlab-ci.yml', () => {
  const gl = readGitlab();
  const stageOf = (job: GlJob) => job.stage ?? 'test';
  const jobNames = Object.keys(gl.jobs);

  it('has the original pipeline’s stages, in order', () => {
    expect(gl.stages).toEqual([
      'build',
      'test',
      'security',
      'deploy',
      'canary',
      'guard',
      'switch',
      'monitor',
    ]);
  });

  it('every job’s stage is listed, and every stage has a job', () => {
    for (const [name, job] of Object.entries(gl.jobs)) expect(gl.stages, name).toContain(stageOf(job));
    for (const stage of gl.stages)
      expect(
        Object.values(gl.jobs).some((j) => stageOf(j) === stage),
        stage,
      ).toBe(true);
  });

  it('needs and dependencies name real jobs in the same or an earlier stage', () => {
    for (const [name, job] of Object.entries(gl.jobs)) {
      for (const need of [...(job.needs ?? []).map(needName), ...(job.dependencies ?? [])]) {
        expect(jobNames, `${name} needs ${need}`).toContain(need);
        const needed = gl.jobs[need] as GlJob;
        expect(gl.stages.indexOf(stageOf(needed)), `${name} needs ${need}`).toBeLessThanOrEqual(
          gl.stages.indexOf(stageOf(job)),
        );
      }
    }
  });

  it('staging deploys only from the staging branch, production only from main, each to its own channel', () => {
    const deploys = Object.entries(gl.jobs).filter(([, j]) =>
      (j.script ?? []).some((l) => /threader deploy /.test(l)),
    );
    const envOf = (j: GlJob) => /--env (\w+)/.exec((j.script ?? []).join('\n'))?.[1];
    expect(deploys.map(([, j]) => envOf(j)).sort()).toEqual(['production', 'staging']);
    for (const [name, job] of deploys) {
      const branch = envOf(job) === 'production' ? 'main' : 'staging';
      expect(
        job.rules?.map((r) => r.if),
        name,
      ).toEqual([`$CI_COMMIT_BRANCH == "${branch}"`]);
    }
    const rules = gl.workflow?.rules ?? [];
    const channel = (branch: string) =>
      rules.find((r) => r.if === `$CI_COMMIT_BRANCH == "${branch}"`)?.variables?.SLACK_CHANNEL;
    expect(channel('main')).toBe('$SLACK_CHANNEL_PRODUCTION');
    expect(channel('staging')).toBe('$SLACK_CHANNEL_STAGING');
  });

  it('the thread reference travels in a dotenv artifact from the job that opens the thread to every job that uses it', () => {
    const openers = Object.entries(gl.jobs).filter(([, j]) =>
      (j.script ?? []).some((l) => l.includes('threader slack thread-open')),
    );
    expect(openers).toHaveLength(1);
    const [opener, openJob] = openers[0] as [string, GlJob];
    const dotenv = /--dotenv (\S+)/.exec((openJob.script ?? []).join('\n'))?.[1];
    expect(dotenv).toBeDefined();
    expect(openJob.artifacts?.reports?.dotenv).toBe(dotenv);
    const users = Object.entries(gl.jobs).filter(
      ([name, j]) =>
        name !== opener &&
        [...(j.script ?? []), ...(j.after_script ?? [])].some((l) => l.includes('THREADER_SLACK_THREAD')),
    );
    expect(users.length).toBeGreaterThan(4);
    for (const [name, job] of users) {
      // With needs, only the listed jobs' artifacts arrive; without, every earlier stage's do.
      if (job.needs) expect(job.needs.map(needName), name).toContain(opener);
      else expect(gl.stages.indexOf(stageOf(job)), name).toBeGreaterThan(gl.stages.indexOf(stageOf(openJob)));
    }
  });

  it('every job on the deployer host keeps its Slack outbox (THREADER_DB) outside the checkout, and monitor flushes it whatever happened', () => {
    const deployer = Object.entries(gl.jobs).filter(([, j]) => j.tags?.includes('threader-deployer'));
    expect(deployer.length).toBeGreaterThanOrEqual(6);
    for (const [name, job] of deployer)
      expect(job.variables?.THREADER_DB, name).toBe('/var/lib/threader/cli.db');
    const monitor = gl.jobs.monitor as GlJob;
    expect(monitor.tags).toContain('threader-deployer');
    expect(monitor.rules?.every((r) => r.when === 'always')).toBe(true);
    expect((monitor.script ?? []).join('\n')).toContain('threader slack flush');
  });

  it('a failure runs the rollback of its branch’s environment, which posts the rollback command', () => {
    for (const [env, branch] of [
      ['staging', 'staging'],
      ['production', 'main'],
    ] as const) {
      const job = gl.jobs[`rollback:${env}`] as GlJob;
      expect(job.rules).toEqual([{ if: `$CI_COMMIT_BRANCH == "${branch}"`, when: 'on_failure' }]);
      expect(job.variables?.DEPLOY_ENV).toBe(env);
      expect((job.script ?? []).join('\n')).toContain('--rollback-command');
    }
  });
});

describe('every threader command in the pipelines', () => {
  const invocations = allScripts().flatMap((s) =>
    threaderInvocations(s.script).map((inv) => ({ ...inv, where: s.where })),
  );

  /**
   * Each command line with every value its variables can get (ci-values.ts): a CI status, a
   * dispatch input's options, a thread reference or none. Lines are grouped by where they are.
   */
  const sites = allScripts().flatMap((s) => {
    const lines = new Map<string, { text: string; argvs: Map<string, { argv: string[]; given: string }> }>();
    for (const assignment of assignmentsFor(s)) {
      const found = threaderInvocations(s.script, (name) => assignment[name]);
      const shapes = threaderInvocations(s.script);
      found.forEach((inv, i) => {
        const shape = shapes[i]?.text ?? inv.text;
        const site = lines.get(shape) ?? { text: shape, argvs: new Map() };
        const given = Object.entries(assignment)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(' ');
        site.argvs.set(JSON.stringify(inv.argv), { argv: inv.argv, given });
        lines.set(shape, site);
      });
    }
    return [...lines.values()].map((site) => ({ where: s.where, ...site }));
  });

  it('the pipelines use the commands a pipeline needs', () => {
    const used = new Set(
      invocations.map((i) =>
        i.argv.slice(0, i.argv[0] === 'slack' || i.argv[0] === 'guard' ? 2 : 1).join(' '),
      ),
    );
    for (const command of [
      'slack thread-open',
      'slack thread-reply',
      'slack flush',
      'deploy',
      'rollback',
      'status',
      'guard status',
      'guard check',
      'retry',
    ])
      expect(used, command).toContain(command);
  });

  it('every job status either CI system can report reaches a thread-reply as a status threader takes', () => {
    const statuses = new Set(
      sites
        .filter((s) => s.text.startsWith('threader slack thread-reply'))
        .flatMap((s) => [...s.argvs.values()].map(({ argv }) => argv[argv.indexOf('--status') + 1])),
    );
    // Both systems' statuses arrive (GitHub's as they are, GitLab's mapped by the .reply script).
    expect([...statuses].sort()).toEqual(['cancelled', 'failure', 'success']);
  });

  it.each(sites.map((s) => [`${s.where}: ${s.text}`, s]))('%s', async (_where, site) => {
    for (const { argv, given } of site.argvs.values())
      expect(await parseOnly(argv), `with ${given || 'no variables known'}`).toMatchObject({ ok: true });
  });
});
