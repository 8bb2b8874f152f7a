import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, ValidationError } from '../errors.js';
import { zodProblems } from '../config/load.js';
import { guardChecks } from '../guard/slos.js';
import { checkEnvironment, customSloProblems } from './spec-checks.js';
import { deploySpecSchema, type RawEnvironment } from './spec-schema.js';
import type { DeploySpec, EnvironmentSpec } from './types.js';

export { deploySpecSchema, type DeploySpecInput } from './spec-schema.js';

/**
 * The deploy config (examples/deploy/deploy.yaml, docs/deploy.md): the schema in spec-schema.ts,
 * cross-field rules in spec-checks.ts. Durations are text ("5m") or seconds, parsed to
 * milliseconds. The output is a DeploySpec.
 */

const PRODUCTION = /^prod(uction)?$/i;

function toEnvironment(envName: string, e: RawEnvironment): EnvironmentSpec {
  const a = e.analysis;
  const checks = a
    ? guardChecks({ slos: a.slos, scope: a.scope }).map((c) => ({
        ...c,
        noData: a.slos[c.name]?.noData ?? a.noData,
      }))
    : [];
  const steps =
    e.strategy.canary.steps ??
    (a
      ? [{ setWeight: 10 }, { analysis: {} }, { setWeight: 50 }, { analysis: {} }]
      : [
          { setWeight: 10 },
          { pause: { duration: 60_000 } },
          { setWeight: 50 },
          { pause: { duration: 60_000 } },
        ]);
  const { slos: _slos, scope: _scope, ...analysisRest } = a ?? { slos: {}, scope: {} };
  return {
    name: envName,
    instances: e.instances,
    driver: e.driver,
    run: e.run,
    healthCheck: e.healthCheck,
    traffic: e.traffic,
    strategy: {
      ...e.strategy,
      default: e.strategy.default ?? (e.instances.some((i) => i.colour) ? 'blue-green' : 'rolling'),
      canary: { ...e.strategy.canary, steps },
    },
    ...(a ? { analysis: { ...(analysisRest as Omit<typeof a, 'slos' | 'scope'>), checks } } : {}),
    approval: { ...e.approval, required: e.approval.required ?? PRODUCTION.test(envName) },
    guard: e.guard,
    ...(e.slack ? { slack: e.slack } : {}),
  };
}

/** Validates a parsed YAML document. Throws ValidationError listing every problem by path. */
export function parseDeploySpec(doc: unknown, what = 'deploy config'): DeploySpec {
  const parsed = deploySpecSchema.safeParse(doc);
  if (!parsed.success) throw new ValidationError(zodProblems(parsed.error), what);
  const problems = [];
  const environments: Record<string, EnvironmentSpec> = {};
  for (const [envName, raw] of Object.entries(parsed.data.environments)) {
    const at = `environments.${envName}`;
    problems.push(...customSloProblems(raw.analysis?.slos ?? {}, `${at}.analysis.slos`));
    const env = toEnvironment(envName, raw);
    problems.push(...checkEnvironment(env, at, raw.strategy.canary.steps !== undefined));
    environments[envName] = env;
  }
  if (problems.length) throw new ValidationError(problems, what);
  return {
    service: parsed.data.service,
    ...(parsed.data.stateDb ? { stateDb: parsed.data.stateDb } : {}),
    environments,
  };
}

/** Reads and validates a deploy config; relative paths are taken from the config file's folder. */
export async function loadDeploySpec(path: string): Promise<DeploySpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read deploy config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    if (err instanceof YAMLParseError) throw new ConfigError(`deploy config ${path}: ${err.message}`);
    throw err;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new ConfigError(`deploy config ${path}: top level must be a mapping`);
  return resolvePaths(parseDeploySpec(doc, `deploy config ${path}`), dirname(resolve(path)));
}

/** Local paths only (an ssh driver's stateDir and workingDir live on the remote host); `~/` is the home folder. */
export function resolvePaths(spec: DeploySpec, base: string): DeploySpec {
  const at = (p: string | undefined) =>
    p === undefined ? undefined : p.startsWith('~/') ? join(homedir(), p.slice(2)) : resolve(base, p);
  const environments = Object.fromEntries(
    Object.entries(spec.environments).map(([k, e]) => {
      const d = e.driver;
      const driver =
        d.type === 'process'
          ? { ...d, stateDir: at(d.stateDir) as string }
          : d.type === 'ssh'
            ? {
                ...d,
                ...(d.identityFile ? { identityFile: at(d.identityFile) } : {}),
                ...(d.knownHostsFile ? { knownHostsFile: at(d.knownHostsFile) } : {}),
              }
            : d;
      const run =
        d.type === 'process' && e.run.workingDir ? { ...e.run, workingDir: at(e.run.workingDir) } : e.run;
      const guard = {
        ...e.guard,
        ...(e.guard.lockFile ? { lockFile: at(e.guard.lockFile) } : {}),
        ...(e.guard.config ? { config: at(e.guard.config) } : {}),
      };
      return [
        k,
        {
          ...e,
          driver,
          run,
          guard,
          traffic: { ...e.traffic, configFile: at(e.traffic.configFile) as string },
        },
      ];
    }),
  ) as Record<string, EnvironmentSpec>;
  return { ...spec, stateDb: at(spec.stateDb) ?? resolve(base, `${spec.service}.deploys.db`), environments };
}
