import { execFileSync } from 'node:child_process';
import { readWorkflow, type PipelineScript } from './pipeline-files.js';
import { variablesOf } from './shell-words.js';

/**
 * The values the CI systems put in the variables the pipelines hand to `threader`, so the static
 * check parses each command line with every value it can really get — a `--status "$STATUS"`
 * is only valid if every job status the runner can set is one threader takes.
 */

/** `${{ job.status }}`: GitHub's values for a job's status. */
export const GITHUB_JOB_STATUS = ['success', 'failure', 'cancelled'];

/** `$CI_JOB_STATUS` in `after_script`: GitLab's values once the job's script ended. */
export const GITLAB_JOB_STATUS = ['success', 'failed', 'canceled'];

/** What `threader slack thread-open` prints, as a later job receives it. */
export const SAMPLE_REF = 'C0123ABCDEF:1700000000.000100';

/** Predefined variables of the CI systems with a fixed value set. */
const PREDEFINED: Record<string, string[]> = { CI_JOB_STATUS: GITLAB_JOB_STATUS };

/**
 * What an operator's settings or an earlier job put in the variables whose values threader
 * checks (docs/pipelines.md). The thread reference is empty when no thread could be opened
 * (open-thread / slack:open may fail without failing the run).
 */
const BY_NAME: Record<string, string[]> = {
  THREADER_SLACK_THREAD: [SAMPLE_REF, ''],
  SLACK_CHANNEL: ['C0123ABCDEF'],
  SLACK_CHANNEL_PRODUCTION: ['C0PRODUCTION'],
  SLACK_CHANNEL_STAGING: ['C0STAGING'],
  RUN_URL: ['https://ci.example.com/acme/app/-/pipelines/42'],
  CI_PIPELINE_URL: ['https://ci.example.com/acme/app/-/pipelines/42'],
  CI_JOB_URL: ['https://ci.example.com/acme/app/-/jobs/7'],
  SMOKE_URL: ['https://staging.example.com/healthz'],
  PROMETHEUS_URL: ['http://prometheus.internal:9090'],
};

export type Assignment = Record<string, string>;

/** GitHub: a variable set by `env: NAME: ${{ expr }}` takes the values the expression can have. */
function githubSets(s: PipelineScript): Record<string, string[]> {
  const sets: Record<string, string[]> = {};
  const dispatch = s.file.endsWith('action.yml')
    ? undefined
    : (readWorkflow(s.file).on.workflow_dispatch as
        { inputs?: Record<string, { options?: string[] }> } | undefined);
  for (const [name, value] of Object.entries(s.env)) {
    const expr = /^\$\{\{\s*([^}]*?)\s*\}\}$/.exec(value.trim())?.[1];
    if (expr === 'job.status') sets[name] = GITHUB_JOB_STATUS;
    const input = /^inputs\.([\w-]+)$/.exec(expr ?? '')?.[1];
    const options = input ? dispatch?.inputs?.[input]?.options : undefined;
    if (options) sets[name] = options;
  }
  return sets;
}

/**
 * GitLab: a script variable a `case` sets from a CI variable (`case "$CI_JOB_STATUS" in failed)
 * status=failure ;; … esac`) takes what bash makes of each of the CI variable's values.
 */
function derivedByCase(script: string, name: string, known: Record<string, string[]>): string[] | undefined {
  const line = script
    .split('\n')
    .find((l) => /^\s*case\s/.test(l) && /\besac\b/.test(l) && new RegExp(`\\b${name}=`).test(l));
  if (!line) return undefined;
  const inputs = variablesOf(line).filter((v) => v !== name && known[v]);
  const values = new Set<string>();
  for (const env of combinations(Object.fromEntries(inputs.map((v) => [v, known[v] as string[]]))))
    values.add(
      execFileSync('bash', ['-c', `${line}\nprintf %s "\${${name}-}"`], {
        env: { PATH: process.env.PATH, ...env },
        encoding: 'utf8',
      }),
    );
  return [...values];
}

/** Every combination of the value sets (one empty assignment when there are none). */
export function combinations(sets: Record<string, string[]>): Assignment[] {
  let out: Assignment[] = [{}];
  for (const [name, values] of Object.entries(sets))
    out = out.flatMap((a) => values.map((v) => ({ ...a, [name]: v })));
  return out;
}

/**
 * The assignments to try for a script: every combination of the values its variables can have
 * (variables with one known value are fixed, unknown ones stay placeholders).
 */
export function assignmentsFor(s: PipelineScript): Assignment[] {
  const known: Record<string, string[]> = {
    ...PREDEFINED,
    ...BY_NAME,
    ...(s.system === 'github' ? githubSets(s) : {}),
  };
  const sets: Record<string, string[]> = {};
  for (const name of variablesOf(s.script)) {
    const values = known[name] ?? (s.system === 'gitlab' ? derivedByCase(s.script, name, known) : undefined);
    if (values) sets[name] = values;
  }
  return combinations(sets);
}
