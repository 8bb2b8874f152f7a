import type { Comparator, Measurement, MetricCheck, Outcome } from './types.js';

/** One measurement of one check, judged. */
export interface Judgement {
  check: string;
  outcome: Outcome;
  /** The value that decided (the worst series against the threshold); absent without data. */
  value?: number;
  values: number[];
  comparator: Comparator;
  threshold: number;
  noData: boolean;
  query?: string;
  /** One line for humans: "0.8% <= 1%", "no data (policy: fail)", "provider error: …". */
  message: string;
  at: number;
}

/** A measurement or the reason there is none. */
export type Observation = Measurement | { error: string; at: number; query?: string };

const COMPARE: Record<Comparator, (v: number, t: number) => boolean> = {
  '<': (v, t) => v < t,
  '<=': (v, t) => v <= t,
  '>': (v, t) => v > t,
  '>=': (v, t) => v >= t,
  '==': (v, t) => v === t,
  '!=': (v, t) => v !== t,
};

export function formatValue(check: Pick<MetricCheck, 'unit'>, v: number): string {
  if (check.unit === 'ratio') return `${Number((v * 100).toPrecision(4))}%`;
  if (check.unit === 'seconds') return `${Number(v.toPrecision(4))}s`;
  return String(Number(v.toPrecision(6)));
}

/** The series furthest on the wrong side of the threshold, so one number can stand for all. */
function worst(values: number[], c: Comparator): number {
  if (c === '<' || c === '<=') return Math.max(...values);
  if (c === '>' || c === '>=') return Math.min(...values);
  return values.find((v) => !COMPARE[c](v, 0)) ?? (values[0] as number);
}

const NO_DATA: Record<MetricCheck['noData'], Outcome> = {
  fail: 'Failed',
  pass: 'Successful',
  inconclusive: 'Inconclusive',
};

/**
 * Judges one observation against a check: Error when the provider could not answer, the check's
 * explicit no-data policy when it answered with nothing (empty result, or only NaN from 0/0),
 * otherwise Successful only when every series satisfies the comparison.
 */
export function judge(check: MetricCheck, obs: Observation): Judgement {
  const base = {
    check: check.name,
    comparator: check.comparator,
    threshold: check.threshold,
    at: obs.at,
    query: obs.query,
  };
  if ('error' in obs) {
    return { ...base, outcome: 'Error', values: [], noData: false, message: `provider error: ${obs.error}` };
  }
  const values = obs.values.filter((v) => !Number.isNaN(v));
  if (values.length === 0) {
    return {
      ...base,
      outcome: NO_DATA[check.noData],
      values: [],
      noData: true,
      message: `no data (policy: ${check.noData})`,
    };
  }
  const ok = values.every((v) => COMPARE[check.comparator](v, check.threshold));
  const value = worst(values, check.comparator);
  const shown = `${formatValue(check, value)} ${check.comparator} ${formatValue(check, check.threshold)}`;
  return {
    ...base,
    outcome: ok ? 'Successful' : 'Failed',
    value,
    values,
    noData: false,
    message: ok ? shown : `${shown} does not hold`,
  };
}

export interface AnalysisLimits {
  /** Failed once failed measurements exceed this (Argo default 0). */
  failureLimit: number;
  /** Inconclusive once inconclusive measurements exceed this (Argo default 0). */
  inconclusiveLimit: number;
  /** Error once consecutive provider errors exceed this (Argo default 4). */
  consecutiveErrorLimit: number;
  /** Measurements needed before the analysis can be Successful; unset = the ones given are all there is. */
  count?: number;
}

export const DEFAULT_LIMITS: AnalysisLimits = {
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
};

export interface AnalysisResult {
  phase: Outcome | 'Running';
  measurements: number;
  successful: number;
  failed: number;
  inconclusive: number;
  errors: number;
  consecutiveErrors: number;
}

/**
 * Argo Rollouts' assessment of a metric's measurements so far, in order: Failed beats
 * Inconclusive beats Error; errors are not failures but too many in a row end the analysis.
 * 'Running' only while `count` measurements have not been taken yet. One rule is ours, not Argo's:
 * count reached with nothing but provider errors is Error (fail closed).
 */
export function evaluate(
  judgements: readonly Judgement[],
  limits: Partial<AnalysisLimits> = {},
): AnalysisResult {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const r: AnalysisResult = {
    phase: 'Running',
    measurements: judgements.length,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    errors: 0,
    consecutiveErrors: 0,
  };
  for (const j of judgements) {
    if (j.outcome === 'Error') {
      r.errors++;
      r.consecutiveErrors++;
      continue;
    }
    r.consecutiveErrors = 0;
    if (j.outcome === 'Successful') r.successful++;
    else if (j.outcome === 'Failed') r.failed++;
    else r.inconclusive++;
  }
  if (r.failed > l.failureLimit) r.phase = 'Failed';
  else if (r.inconclusive > l.inconclusiveLimit) r.phase = 'Inconclusive';
  else if (r.consecutiveErrors > l.consecutiveErrorLimit) r.phase = 'Error';
  else if (l.count === undefined || r.measurements >= l.count)
    // Our one deliberate difference from Argo (docs/deploy.md "Gate outcomes"): a finished analysis
    // with no measurement other than provider errors has no evidence at all, so it fails closed as
    // Error instead of passing whenever count <= consecutiveErrorLimit (review R2 #2).
    r.phase = r.measurements > 0 && r.errors === r.measurements ? 'Error' : 'Successful';
  return r;
}
