import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/process.js';

/** The pipeline files of the repository, read as the CI systems read them. */

export const workflowDir = join(repoRoot, '.github/workflows');
export const gitlabFile = join(repoRoot, '.gitlab-ci.yml');

export interface GhStep {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  'continue-on-error'?: boolean | string;
}

export interface GhJob {
  name?: string;
  needs?: string | string[];
  if?: string;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  environment?: string | { name: string };
  'runs-on'?: string | string[];
  'continue-on-error'?: boolean | string;
  steps?: GhStep[];
}

export interface GhWorkflow {
  name: string;
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, GhJob>;
}

export function workflowFiles(): string[] {
  return readdirSync(workflowDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(workflowDir, f));
}

export function readWorkflow(file: string): GhWorkflow {
  return parse(readFileSync(file, 'utf8')) as GhWorkflow;
}

export function needsOf(job: GhJob): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

export type GlNeed = string | { job: string; optional?: boolean; artifacts?: boolean };

export interface GlRule {
  if?: string;
  when?: string;
  variables?: Record<string, string>;
}

export interface GlJob {
  stage?: string;
  tags?: string[];
  extends?: string | string[];
  needs?: GlNeed[];
  dependencies?: string[];
  rules?: GlRule[];
  variables?: Record<string, string>;
  before_script?: string[];
  script?: string[];
  after_script?: string[];
  artifacts?: { paths?: string[]; reports?: { dotenv?: string | string[] }; when?: string };
  allow_failure?: boolean;
  when?: string;
}

export interface GitlabCi {
  stages: string[];
  workflow?: { rules?: GlRule[] };
  variables: Record<string, string>;
  default?: GlJob;
  jobs: Record<string, GlJob>;
  /** Hidden jobs (`.name`): templates for `extends`. */
  templates: Record<string, GlJob>;
}

const GLOBAL_KEYS = new Set(['stages', 'workflow', 'default', 'variables', 'include', 'image', 'cache']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** GitLab's `extends`: hashes merge deeply, the job's own keys win, arrays are replaced. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isObject(v) && isObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

function resolve(name: string, raw: Record<string, unknown>, seen: string[] = []): GlJob {
  if (seen.includes(name)) throw new Error(`extends cycle: ${[...seen, name].join(' → ')}`);
  const job = raw[name];
  if (!isObject(job)) throw new Error(`${seen.at(-1) ?? 'a job'} extends ${name}, which does not exist`);
  const parents = job.extends === undefined ? [] : Array.isArray(job.extends) ? job.extends : [job.extends];
  let merged: Record<string, unknown> = {};
  for (const p of parents as string[]) merged = merge(merged, resolve(p, raw, [...seen, name]) as never);
  const { extends: _extends, ...own } = job;
  return merge(merged, own) as GlJob;
}

export function readGitlab(): GitlabCi {
  const raw = parse(readFileSync(gitlabFile, 'utf8'), { merge: true }) as Record<string, unknown>;
  const jobs: Record<string, GlJob> = {};
  const templates: Record<string, GlJob> = {};
  for (const name of Object.keys(raw)) {
    if (GLOBAL_KEYS.has(name)) continue;
    (name.startsWith('.') ? templates : jobs)[name] = resolve(name, raw);
  }
  return {
    stages: raw.stages as string[],
    ...(raw.workflow ? { workflow: raw.workflow as { rules?: GlRule[] } } : {}),
    variables: (raw.variables ?? {}) as Record<string, string>,
    ...(raw.default ? { default: raw.default as GlJob } : {}),
    jobs,
    templates,
  };
}

export function needName(n: GlNeed): string {
  return typeof n === 'string' ? n : n.job;
}

export interface PipelineScript {
  /** Named for messages. */
  where: string;
  script: string;
  system: 'github' | 'gitlab';
  /** The file it is in. */
  file: string;
  /**
   * The variables the CI system sets for it, as written: GitHub's workflow, job and step `env:`
   * (expressions unevaluated), GitLab's global and job `variables:`.
   */
  env: Record<string, string>;
}

/** Every shell script of the pipelines, named for messages: GitHub `run:` steps, GitLab scripts. */
export function allScripts(): PipelineScript[] {
  const out: PipelineScript[] = [];
  for (const file of workflowFiles()) {
    const wf = readWorkflow(file);
    for (const [jobName, job] of Object.entries(wf.jobs))
      for (const [i, step] of (job.steps ?? []).entries())
        if (step.run)
          out.push({
            where: `${file.slice(repoRoot.length)} ${jobName} step ${step.name ?? i + 1}`,
            script: step.run,
            system: 'github',
            file,
            env: { ...wf.env, ...job.env, ...step.env },
          });
  }
  const actionFile = join(repoRoot, '.github/actions/setup-threader/action.yml');
  const composite = parse(readFileSync(actionFile, 'utf8')) as { runs: { steps: GhStep[] } };
  for (const step of composite.runs.steps)
    if (step.run)
      out.push({
        where: `setup-threader ${step.name}`,
        script: step.run,
        system: 'github',
        file: actionFile,
        env: { ...step.env },
      });
  const gl = readGitlab();
  const parts = ['before_script', 'script', 'after_script'] as const;
  for (const [name, job] of Object.entries({ default: gl.default ?? {}, ...gl.templates, ...gl.jobs }))
    for (const part of parts)
      for (const [i, line] of (job[part] ?? []).entries())
        out.push({
          where: `.gitlab-ci.yml ${name} ${part}[${i}]`,
          script: line,
          system: 'gitlab',
          file: gitlabFile,
          env: { ...gl.variables, ...job.variables },
        });
  return out;
}
