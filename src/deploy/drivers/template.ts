import { ValidationError, type FieldProblem } from '../../errors.js';
import type { InstanceSpec, RunSpec } from '../types.js';

/**
 * RunSpec strings are templates: {instance} {host} {port} {version} {colour} are replaced per
 * instance and version; `{{` and `}}` stand for literal braces. Anything else in braces that looks
 * like a placeholder is an error naming it, so a typo never reaches a running process as text.
 */

export const PLACEHOLDERS = ['instance', 'host', 'port', 'version', 'colour'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateVars = Partial<Record<Placeholder, string>>;

const TOKEN = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/** The problems of one template string: unknown placeholders, and known ones without a value. */
export function templateProblems(template: string, vars?: TemplateVars): string[] {
  const problems: string[] = [];
  for (const m of template.matchAll(TOKEN)) {
    const name = m[1];
    if (name === undefined) continue;
    if (!isPlaceholder(name)) {
      problems.push(`unknown placeholder {${name}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
    } else if (vars && vars[name] === undefined) {
      problems.push(`placeholder {${name}} has no value here`);
    }
  }
  return problems;
}

/** Pure: the template string with every placeholder replaced; throws ValidationError naming the field. */
export function expandTemplate(template: string, vars: TemplateVars, field = 'template'): string {
  const problems = templateProblems(template, vars);
  if (problems.length > 0) {
    throw new ValidationError(
      problems.map((problem) => ({ field, problem })),
      'run template',
    );
  }
  return template.replace(TOKEN, (token, name: string | undefined) => {
    if (name === undefined) return token[0] as string;
    return vars[name as Placeholder] as string;
  });
}

export function templateVars(instance: InstanceSpec, version: string): TemplateVars {
  const vars: TemplateVars = {
    instance: instance.name,
    host: instance.host,
    port: String(instance.port),
    version,
  };
  if (instance.colour) vars.colour = instance.colour;
  return vars;
}

/** Every template problem of a RunSpec, with field paths, for spec validation at load time. */
export function runTemplateProblems(run: RunSpec, path = 'run'): FieldProblem[] {
  const out: FieldProblem[] = [];
  const check = (value: string, field: string) => {
    for (const problem of templateProblems(value)) out.push({ field, problem });
  };
  run.command.forEach((arg, i) => check(arg, `${path}.command[${i}]`));
  for (const [key, value] of Object.entries(run.env)) check(value, `${path}.env.${key}`);
  if (run.workingDir !== undefined) check(run.workingDir, `${path}.workingDir`);
  if (run.unit !== undefined) check(run.unit, `${path}.unit`);
  return out;
}

/** Pure: the RunSpec for one instance at one version, every string expanded. */
export function expandRun(run: RunSpec, instance: InstanceSpec, version: string): RunSpec {
  const vars = templateVars(instance, version);
  const problems: FieldProblem[] = [];
  const expand = (value: string, field: string): string => {
    try {
      return expandTemplate(value, vars, field);
    } catch (err) {
      if (err instanceof ValidationError) problems.push(...err.problems);
      return value;
    }
  };
  const expanded: RunSpec = {
    command: run.command.map((arg, i) => expand(arg, `run.command[${i}]`)),
    env: Object.fromEntries(Object.entries(run.env).map(([k, v]) => [k, expand(v, `run.env.${k}`)])),
  };
  if (run.workingDir !== undefined) expanded.workingDir = expand(run.workingDir, 'run.workingDir');
  if (run.unit !== undefined) expanded.unit = expand(run.unit, 'run.unit');
  if (problems.length > 0) throw new ValidationError(problems, `run template for instance ${instance.name}`);
  return expanded;
}
