import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGitlab, type GitlabCi, type GlJob, type GlRule } from './pipeline-files.js';

/**
 * Runs jobs of .gitlab-ci.yml the way a shell runner would, on this machine: variables from the
 * file (global, the matching workflow rule's, the job's) over the CI/CD variables and the
 * predefined ones, `$VAR` in values expanded; before_script + script in one bash, after_script in
 * another with CI_JOB_STATUS; a dotenv report read back for the jobs after it. The `default:`
 * before_script (npm ci, build, threader on PATH) is not run: threader is on PATH already.
 */

export interface GitlabJobRun {
  name: string;
  ran: boolean;
  status: 'success' | 'failed' | 'skipped';
  log: string;
  /** Variables of the job's dotenv report, if it made one. */
  dotenv: Record<string, string>;
}

export interface GitlabRunOptions {
  branch: string;
  /** CI/CD variables of the project (secrets included) and predefined ones. */
  variables: Record<string, string>;
  baseEnv: NodeJS.ProcessEnv;
  workDir: string;
  timeoutMs?: number;
}

/** `$CI_COMMIT_BRANCH == "main"`-style rules, joined by `||` / `&&` (no parentheses needed here). */
export function ruleMatches(expr: string, vars: Record<string, string>): boolean {
  return expr.split('||').some((any) =>
    any.split('&&').every((part) => {
      const m = /^\s*\$(\w+)\s*(==|!=)\s*"([^"]*)"\s*$/.exec(part);
      if (m) return (vars[m[1] as string] === m[3]) === (m[2] === '==');
      const bare = /^\s*\$(\w+)\s*$/.exec(part);
      if (bare) return !!vars[bare[1] as string];
      throw new Error(`rule not understood by the harness: ${part}`);
    }),
  );
}

/** The `when` of the first matching rule, or undefined when no rule matches (job not created). */
export function ruleWhen(rules: GlRule[] | undefined, vars: Record<string, string>): string | undefined {
  if (!rules) return 'on_success';
  const rule = rules.find((r) => r.if === undefined || ruleMatches(r.if, vars));
  return rule ? (rule.when ?? 'on_success') : undefined;
}

function expand(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{?(\w+)\}?/g, (_m, name: string) => vars[name] ?? '');
}

function bash(script: string, env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number) {
  return new Promise<{ code: number; log: string }>((resolve) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, log });
    });
  });
}

export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1] as string] = (m[2] as string).replace(/^"(.*)"$/, '$1');
  }
  return out;
}

export class GitlabPipeline {
  readonly ci: GitlabCi = readGitlab();
  /** Dotenv variables from jobs that ran (passed to later jobs, as artifacts are). */
  private readonly dotenv: Record<string, string> = {};
  private failed = false;

  constructor(private readonly opts: GitlabRunOptions) {}

  /** The pipeline's variables for this branch: CI/CD ones, then the file's, then the workflow rule's. */
  private pipelineVars(): Record<string, string> {
    const vars: Record<string, string> = { ...this.opts.variables, CI_COMMIT_BRANCH: this.opts.branch };
    for (const [k, v] of Object.entries(this.ci.variables))
      if (!(k in this.opts.variables)) vars[k] = expand(String(v), vars);
    const rule = this.ci.workflow?.rules?.find((r) => r.if === undefined || ruleMatches(r.if, vars));
    if (!rule) throw new Error(`the workflow rules create no pipeline for branch ${this.opts.branch}`);
    for (const [k, v] of Object.entries(rule.variables ?? {})) vars[k] = expand(String(v), vars);
    return vars;
  }

  /** Runs `name` if its rules create it for this branch and pipeline state (on_failure after a failure). */
  async run(name: string): Promise<GitlabJobRun> {
    const job = this.ci.jobs[name] as GlJob | undefined;
    if (!job) throw new Error(`no job ${name} in .gitlab-ci.yml`);
    const vars = this.pipelineVars();
    const when = ruleWhen(job.rules, vars) ?? 'never';
    const runs =
      when === 'always' ||
      when === 'manual' ||
      (when === 'on_success' && !this.failed) ||
      (when === 'on_failure' && this.failed);
    if (!runs) return { name, ran: false, status: 'skipped', log: `[harness] when: ${when}`, dotenv: {} };
    const workspace = mkdtempSync(join(this.opts.workDir, `${name.replace(/\W/g, '-')}-`));
    const jobVars: Record<string, string> = {
      ...vars,
      ...this.dotenv,
      CI_JOB_NAME: name,
      CI_JOB_STAGE: job.stage ?? 'test',
      CI_PROJECT_DIR: workspace,
      CI_JOB_URL: `${vars.CI_PIPELINE_URL ?? 'http://gitlab.test/p'}/jobs/${name.replace(/\W/g, '-')}`,
    };
    // A project's CI/CD variables win over the file's, the job's included (GitLab's precedence).
    for (const [k, v] of Object.entries(job.variables ?? {}))
      if (!(k in this.opts.variables)) jobVars[k] = expand(String(v), jobVars);
    const env = { ...this.opts.baseEnv, ...jobVars, CI: 'true', GITLAB_CI: 'true' };
    const timeout = this.opts.timeoutMs ?? 150_000;
    const main = await bash(
      [...(job.before_script ?? []), ...(job.script ?? [])].join('\n'),
      env,
      workspace,
      timeout,
    );
    const status = main.code === 0 || job.allow_failure === true ? 'success' : 'failed';
    let log = main.log;
    if (job.after_script?.length) {
      const after = await bash(
        job.after_script.join('\n'),
        { ...env, CI_JOB_STATUS: main.code === 0 ? 'success' : 'failed' },
        workspace,
        timeout,
      );
      log += `\n[after_script exit ${after.code}]\n${after.log}`;
    }
    if (status === 'failed') this.failed = true;
    const report = job.artifacts?.reports?.dotenv;
    const dotenv: Record<string, string> = {};
    for (const file of report === undefined ? [] : Array.isArray(report) ? report : [report]) {
      const path = join(workspace, file);
      if (existsSync(path)) Object.assign(dotenv, parseDotenv(readFileSync(path, 'utf8')));
    }
    Object.assign(this.dotenv, dotenv);
    return { name, ran: true, status, log, dotenv };
  }
}
