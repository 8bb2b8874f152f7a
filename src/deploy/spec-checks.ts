import type { FieldProblem } from '../errors.js';
import { CHANNEL_ID } from '../config/slack-ids.js';
import { SLO_NAMES } from '../metrics/conventions.js';
import { resolveSurge, rollingBatchSize } from './surge.js';
import type { EnvironmentSpec, InstanceSpec } from './types.js';

/**
 * The deploy config's cross-field rules: what a field-by-field schema cannot see. Each problem
 * names the path it is about, like the schema's own.
 */

/** Instances a canary selector picks: by name, or by any of the tags. */
export function selectCanaries(env: Pick<EnvironmentSpec, 'instances' | 'strategy'>): InstanceSpec[] {
  const { instances: names, tags } = env.strategy.canary;
  return env.instances.filter((i) => names.includes(i.name) || i.tags.some((t) => tags.includes(t)));
}

/**
 * The canaries leave nginx together while they are replaced, so there must be no more of them than
 * a rolling batch may take out of service (review R2 #10: 3 of 4 tagged left one instance serving).
 */
export function canaryCapacityProblem(
  env: Pick<EnvironmentSpec, 'instances' | 'strategy'>,
  canaries: number,
): string | undefined {
  const n = env.instances.length;
  const { maxSurge, maxUnavailable } = env.strategy.rolling;
  const allowed = rollingBatchSize(resolveSurge(n, maxSurge, maxUnavailable), n);
  if (canaries <= allowed) return undefined;
  return `${canaries} canaries leave nginx together, but strategy.rolling.maxUnavailable allows ${allowed} of ${n} out of service: select fewer canaries or raise maxUnavailable`;
}

const isZero = (v: number | string) => v === 0 || (typeof v === 'string' && Number(v.slice(0, -1)) === 0);

export function checkEnvironment(
  env: EnvironmentSpec,
  at: string,
  canaryStepsWritten: boolean,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, problem: string) => problems.push({ field: `${at}.${field}`, problem });

  const seenNames = new Map<string, number>();
  const seenAddr = new Map<string, number>();
  env.instances.forEach((i, n) => {
    const first = seenNames.get(i.name);
    if (first !== undefined) add(`instances[${n}].name`, `"${i.name}" is also instances[${first}]'s name`);
    else seenNames.set(i.name, n);
    const addr = `${i.host}:${i.port}`;
    const firstAddr = seenAddr.get(addr);
    if (firstAddr !== undefined)
      add(`instances[${n}].port`, `${addr} is also instances[${firstAddr}]'s address`);
    else seenAddr.set(addr, n);
  });

  const { rolling, canary, blueGreen } = env.strategy;
  if (isZero(rolling.maxSurge) && isZero(rolling.maxUnavailable))
    add(
      'strategy.rolling',
      'maxSurge and maxUnavailable cannot both be 0 (the rollout could never progress)',
    );

  const colours = new Set(env.instances.map((i) => i.colour).filter(Boolean));
  const uncoloured = env.instances.filter((i) => !i.colour).map((i) => i.name);
  if (colours.size > 0 || env.strategy.default === 'blue-green') {
    for (const c of ['blue', 'green'] as const)
      if (!colours.has(c)) add('instances', `blue-green needs at least one instance with colour: ${c}`);
    if (env.strategy.default !== 'blue-green')
      add(
        'strategy.default',
        `instances have colours: the strategy is blue-green, not ${env.strategy.default}`,
      );
    if (uncoloured.length)
      add('instances', `blue-green needs a colour on every instance (missing: ${uncoloured.join(', ')})`);
  }

  const selectorWritten = canary.instances.length > 0 || canary.tags.length > 0;
  if (selectorWritten || env.strategy.default === 'canary') {
    const picked = selectCanaries(env);
    const unknown = canary.instances.filter((n) => !env.instances.some((i) => i.name === n));
    if (unknown.length) add('strategy.canary.instances', `no instance named ${unknown.join(', ')}`);
    if (picked.length === 0)
      add('strategy.canary', 'the canary selector (instances, tags) matches no instance');
    else if (picked.length === env.instances.length)
      add(
        'strategy.canary',
        'the canary selector matches every instance: leave at least one on the stable version',
      );
    else {
      const problem = canaryCapacityProblem(env, picked.length);
      if (problem) add('strategy.canary', problem);
    }
  }

  const needsAnalysis = [
    ...(canaryStepsWritten || env.strategy.default === 'canary'
      ? canary.steps.flatMap((s, n) => ('analysis' in s ? [`strategy.canary.steps[${n}]`] : []))
      : []),
    ...(blueGreen.prePromotionAnalysis ? ['strategy.blueGreen.prePromotionAnalysis'] : []),
    ...(blueGreen.postPromotionAnalysis ? ['strategy.blueGreen.postPromotionAnalysis'] : []),
  ];
  if (!env.analysis)
    for (const f of needsAnalysis) add(f, "an analysis needs the environment's analysis: section");

  const hc = env.healthCheck;
  // The gate needs `successes` probes `interval` apart: a shorter deadline can never pass (review R2 #12).
  const shortest = (hc.successes - 1) * hc.interval;
  if (hc.deadline < shortest)
    add(
      'healthCheck.deadline',
      `${hc.deadline} ms cannot fit ${hc.successes} successes ${hc.interval} ms apart (at least ${shortest} ms)`,
    );

  const d = env.driver;
  const remote = d.type === 'ssh' ? d.remote : d.type;
  if (remote === 'systemd' && !env.run.unit)
    add('run.unit', `the ${d.type} driver needs a template unit like "alert-threader@{instance}"`);
  if (remote === 'process' && env.run.command.length === 0)
    add('run.command', `the ${d.type} driver needs the command to run`);

  const approvers = env.approval.approvers ?? [];
  const repeated = approvers.filter((u, n) => approvers.indexOf(u) !== n);
  if (repeated.length) add('approval.approvers', `${[...new Set(repeated)].join(', ')} listed twice`);
  // Approvers alone ask for nothing: a reader of the config must not think production is gated.
  if (approvers.length && !env.approval.required && !blueGreen.manualPromotion)
    add(
      'approval.approvers',
      'no deploy of this environment waits for an approval (approval.required is false and strategy.blueGreen.manualPromotion is off): set approval.required: true',
    );

  // The schema checks this already; kept so a spec built in code is held to the same rule.
  if (env.slack && !CHANNEL_ID.test(env.slack.channel)) add('slack.channel', 'must be a Slack channel ID');
  return problems;
}

/** The guard's rule for custom SLOs (config/guard.ts), at this config's paths. */
export function customSloProblems(
  slos: Record<
    string,
    { enabled: boolean; query?: string; ratio?: unknown; comparator?: string; threshold?: number }
  >,
  at: string,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [name, s] of Object.entries(slos)) {
    if ((SLO_NAMES as readonly string[]).includes(name) || !s.enabled) continue;
    const missing = [
      !s.query && !s.ratio && 'query or ratio',
      !s.comparator && 'comparator',
      s.threshold === undefined && 'threshold',
    ].filter(Boolean);
    if (missing.length)
      problems.push({
        field: `${at}.${name}`,
        problem: `custom SLO needs ${missing.join(', ')} (built-in ones: ${SLO_NAMES.join(', ')})`,
      });
  }
  return problems;
}
