import { evaluate, judge, type AnalysisResult, type Judgement } from '../metrics/evaluate.js';
import type { MetricCheck, MetricProvider, Outcome, SeriesSelector } from '../metrics/types.js';
import type { AnalysisSpec, InstanceSpec } from './types.js';

export interface AnalysisOutcome {
  outcome: Outcome;
  /** Every judgement taken, in order. */
  judgements: Judgement[];
  /** Per check, Argo's assessment at the end. */
  results: Record<string, AnalysisResult>;
  /** The judgements that decided a non-Successful outcome (the latest one of each failing check). */
  deciding: Judgement[];
}

const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `host:port` as Prometheus names a scrape target (IPv6 hosts in brackets). */
export function targetAddress(instance: Pick<InstanceSpec, 'host' | 'port'>): string {
  const host = instance.host.includes(':') ? `[${instance.host}]` : instance.host;
  return `${host}:${instance.port}`;
}

/**
 * The checks of an analysis narrowed to some instances (Argo measures the canary, not the fleet:
 * a 20 % error rate on a canary carrying 10 % of the traffic is 2 % fleet-wide and would slip under
 * a 5 % SLO). Ratio checks get an anchored `label=~"host:port|…"` matcher on both counters; a
 * custom PromQL query gets the same alternation where it says `{{instances}}` (inside quotes), and is otherwise
 * measured as written. Pure.
 */
export function scopeToInstances(
  checks: readonly MetricCheck[],
  instances: ReadonlyArray<Pick<InstanceSpec, 'host' | 'port'>>,
  label = 'instance',
): MetricCheck[] {
  const pattern = instances.map((i) => regexEscape(targetAddress(i))).join('|');
  // Inside a PromQL "…" string a backslash is itself escaped.
  const inString = pattern.replaceAll('\\', '\\\\');
  return checks.map((c) => {
    const narrow = (sel: SeriesSelector): SeriesSelector => ({
      ...sel,
      match: { ...sel.match, [label]: pattern },
    });
    return {
      ...c,
      ...(c.ratio
        ? { ratio: { numerator: narrow(c.ratio.numerator), denominator: narrow(c.ratio.denominator) } }
        : {}),
      ...(c.query !== undefined ? { query: c.query.replaceAll('{{instances}}', inString) } : {}),
    };
  });
}

const RANK: Record<Outcome, number> = { Successful: 0, Error: 1, Inconclusive: 2, Failed: 3 };

/**
 * Argo's run-level phase from the checks' phases: Failed beats Inconclusive beats Error, and the
 * run is Successful only when every check is. Pure, exported for the table test.
 */
export function runPhase(results: AnalysisResult[]): Outcome | 'Running' {
  let worst: Outcome | 'Running' = 'Successful';
  for (const r of results) {
    if (r.phase === 'Running') {
      if (worst === 'Successful') worst = 'Running';
      continue;
    }
    if (worst === 'Running' || RANK[r.phase] > RANK[worst]) worst = r.phase;
  }
  return worst;
}

/**
 * One analysis gate: `count` measurements of every check, `interval` apart, the first after one
 * interval (so the new version has served traffic for a full interval when it is first judged).
 * Stops early as soon as the outcome is decided (a check Failed, Inconclusive or in Error), which
 * bounds a bad canary's time to interval × (failureLimit + 1).
 */
export async function runAnalysis(
  spec: AnalysisSpec,
  step: { count: number; interval: number },
  deps: {
    provider: MetricProvider;
    now: () => number;
    sleep: (ms: number) => Promise<void>;
    signal?: AbortSignal;
    onMeasurement?: (judgements: Judgement[]) => void;
  },
): Promise<AnalysisOutcome> {
  const limits = {
    failureLimit: spec.failureLimit,
    inconclusiveLimit: spec.inconclusiveLimit,
    consecutiveErrorLimit: spec.consecutiveErrorLimit,
    count: step.count,
  };
  const byCheck = new Map<string, Judgement[]>(spec.checks.map((c) => [c.name, []]));
  const all: Judgement[] = [];
  let results: Record<string, AnalysisResult> = {};
  for (let i = 0; i < step.count; i++) {
    await deps.sleep(step.interval);
    const round = await Promise.all(
      spec.checks.map(async (check) => {
        try {
          const m = await deps.provider.measure(check, { windowMs: spec.window, signal: deps.signal });
          return judge(check, m);
        } catch (err) {
          if (deps.signal?.aborted) throw deps.signal.reason;
          return judge(check, { error: (err as Error).message, at: deps.now() });
        }
      }),
    );
    round.forEach((j) => byCheck.get(j.check)?.push(j));
    all.push(...round);
    deps.onMeasurement?.(round);
    results = Object.fromEntries([...byCheck].map(([name, js]) => [name, evaluate(js, limits)]));
    const phase = runPhase(Object.values(results));
    if (phase !== 'Running' && phase !== 'Successful') return finish(phase, all, results, byCheck);
  }
  const phase = runPhase(Object.values(results));
  return finish(phase === 'Running' ? 'Successful' : phase, all, results, byCheck);
}

function finish(
  outcome: Outcome,
  judgements: Judgement[],
  results: Record<string, AnalysisResult>,
  byCheck: Map<string, Judgement[]>,
): AnalysisOutcome {
  const deciding =
    outcome === 'Successful'
      ? []
      : [...byCheck.entries()]
          .filter(([name]) => results[name]?.phase === outcome)
          .map(([, js]) => js.filter((j) => j.outcome === outcome).at(-1) ?? js.at(-1))
          .filter((j): j is Judgement => j !== undefined);
  return { outcome, judgements, results, deciding };
}
