import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { condition, interpolate, type ExprScope, type Value } from './gha-expr.js';
import { needsOf, readWorkflow, type GhJob } from './pipeline-files.js';

/**
 * Runs jobs of a GitHub Actions workflow the way a runner would, on this machine: jobs in `needs`
 * order, each job's and step's `if:` evaluated, `${{ … }}` interpolated into env, each `run:` step
 * executed by `bash --noprofile --norc -eo pipefail` in a fresh workspace per job, step outputs read
 * from $GITHUB_OUTPUT, job outputs and results passed on through `needs`. `uses:` steps are not run:
 * the checkout is this repository and threader is on PATH already (bin/threader.js, built).
 */

export type Result = 'success' | 'failure' | 'skipped';

export interface JobRun {
  result: Result;
  outputs: Record<string, string>;
  /** Each step: its name, outcome, and what it printed. */
  steps: Array<{ name: string; outcome: Result; log: string }>;
}

export interface WorkflowRunOptions {
  file: string;
  /** Jobs to execute; every other job must be in `assume`. */
  run: string[];
  /** Jobs not executed here (e.g. build and tests, which CI runs for real), with their result. */
  assume?: Record<string, { result: Result; outputs?: Record<string, string> }>;
  inputs: Record<string, string>;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  github: Record<string, string>;
  /** The process environment of every step (PATH with threader first, HOME…). */
  baseEnv: NodeJS.ProcessEnv;
  /** Parent of the per-job workspaces and runner temp dirs. */
  workDir: string;
  stepTimeoutMs?: number;
}

function bash(
  script: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number; log: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const timer = setTimeout(() => {
      log += `\n[harness] step timed out after ${timeoutMs} ms\n`;
      process.kill(-(child.pid as number), 'SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, log });
    });
  });
}

/** `KEY=value` lines of a $GITHUB_OUTPUT file (the `KEY<<EOF` form too). */
export function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      while (++i < lines.length && lines[i] !== heredoc[2]) body.push(lines[i] as string);
      out[heredoc[1] as string] = body.join('\n');
    } else if (line.includes('=')) out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return out;
}

function order(jobs: Record<string, GhJob>): string[] {
  const done: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (done.includes(name)) return;
    if (path.includes(name)) throw new Error(`needs cycle: ${[...path, name].join(' → ')}`);
    for (const n of needsOf(jobs[name] ?? {})) visit(n, [...path, name]);
    done.push(name);
  };
  Object.keys(jobs).forEach((j) => visit(j, []));
  return done;
}

export async function runWorkflow(opts: WorkflowRunOptions): Promise<Record<string, JobRun>> {
  const wf = readWorkflow(opts.file);
  const runs: Record<string, JobRun> = {};
  for (const name of order(wf.jobs)) {
    const job = wf.jobs[name] as GhJob;
    const assumed = opts.assume?.[name];
    if (!opts.run.includes(name)) {
      if (!assumed) throw new Error(`job ${name} is neither run nor assumed`);
      runs[name] = { result: assumed.result, outputs: assumed.outputs ?? {}, steps: [] };
      continue;
    }
    const needs: Record<string, Value> = {};
    for (const n of needsOf(job))
      needs[n] = { result: runs[n]?.result ?? null, outputs: runs[n]?.outputs ?? {} };
    const needResults = needsOf(job).map((n) => runs[n]?.result);
    const contexts: Record<string, Value> = {
      inputs: opts.inputs,
      vars: opts.vars,
      secrets: opts.secrets,
      github: opts.github,
      needs,
      env: {},
      runner: { temp: '', os: 'Linux' },
    };
    const jobScope: ExprScope = {
      contexts,
      functions: {
        success: () => needResults.every((r) => r === 'success'),
        failure: () => needResults.some((r) => r === 'failure'),
        always: () => true,
        cancelled: () => false,
      },
    };
    if (!condition(job.if, 'success()', jobScope)) {
      runs[name] = { result: 'skipped', outputs: {}, steps: [] };
      continue;
    }
    runs[name] = await runJob(name, job, wf.env ?? {}, contexts, opts);
  }
  return runs;
}

async function runJob(
  name: string,
  job: GhJob,
  workflowEnv: Record<string, string>,
  contexts: Record<string, Value>,
  opts: WorkflowRunOptions,
): Promise<JobRun> {
  const workspace = mkdtempSync(join(opts.workDir, `${name}-`));
  const temp = join(workspace, '_temp');
  mkdirSync(temp);
  contexts.runner = { temp, os: 'Linux' };
  const steps: Record<string, Value> = {};
  const log: JobRun['steps'] = [];
  let failed = false;
  const envCtx: Record<string, string> = {};
  contexts.env = envCtx;
  contexts.steps = steps;
  contexts.job = { status: 'success' };
  const scope: ExprScope = {
    contexts,
    functions: {
      success: () => !failed,
      failure: () => failed,
      always: () => true,
      cancelled: () => false,
    },
  };
  for (const [k, v] of Object.entries(workflowEnv)) envCtx[k] = interpolate(String(v), scope);
  for (const [k, v] of Object.entries(job.env ?? {})) envCtx[k] = interpolate(String(v), scope);
  for (const [i, step] of (job.steps ?? []).entries()) {
    const stepName = step.name ?? step.uses ?? step.run?.split('\n')[0] ?? `step ${i + 1}`;
    contexts.job = { status: failed ? 'failure' : 'success' };
    if (!condition(step.if, 'success()', scope)) {
      log.push({ name: stepName, outcome: 'skipped', log: '' });
      if (step.id) steps[step.id] = { outcome: 'skipped', conclusion: 'skipped', outputs: {} };
      continue;
    }
    if (step.uses) {
      log.push({ name: stepName, outcome: 'success', log: '[harness] uses: not run here' });
      continue;
    }
    const stepEnv: Record<string, string> = { ...envCtx };
    for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = interpolate(String(v), scope);
    const outputFile = join(temp, `output-${i}`);
    writeFileSync(outputFile, '');
    const env: NodeJS.ProcessEnv = {
      ...opts.baseEnv,
      ...Object.fromEntries(Object.entries(opts.github).map(([k, v]) => [`GITHUB_${k.toUpperCase()}`, v])),
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_WORKSPACE: workspace,
      GITHUB_JOB: name,
      RUNNER_TEMP: temp,
      ...stepEnv,
    };
    const { code, log: out } = await bash(
      interpolate(step.run ?? '', scope),
      env,
      workspace,
      opts.stepTimeoutMs ?? 150_000,
    );
    const outcome: Result = code === 0 ? 'success' : 'failure';
    const conclusion = outcome === 'failure' && step['continue-on-error'] === true ? 'success' : outcome;
    if (conclusion === 'failure') failed = true;
    log.push({ name: stepName, outcome, log: out });
    if (step.id) steps[step.id] = { outcome, conclusion, outputs: readOutputs(outputFile) };
  }
  contexts.job = { status: failed ? 'failure' : 'success' };
  const outputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(job.outputs ?? {})) outputs[k] = interpolate(String(v), scope);
  const result: Result = failed && job['continue-on-error'] !== true ? 'failure' : 'success';
  return { result, outputs, steps: log };
}
