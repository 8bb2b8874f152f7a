import type { Judgement } from '../metrics/evaluate.js';
import type { Outcome } from '../metrics/types.js';
import { describeStep, formatDeployEvent } from '../deploy/progress.js';
import type { DeployEvent, DeployRecord, StoredDeployEvent, Step } from '../deploy/types.js';
import { FINAL_STATUSES } from '../store/deploy-types.js';
import { displayBy } from '../slack/actor-by.js';

/**
 * A deploy's detail, read from its record and event log: the plan's steps with timings, the
 * traffic share of each version over time, every analysis judgement against its threshold, and
 * how it ended. Pure: `now` comes from the caller.
 */

export type StepState = 'done' | 'running' | 'failed' | 'pending' | 'not-run';

export interface StepView {
  index: number;
  kind: Step['kind'];
  text: string;
  state: StepState;
  startedAt?: number;
  finishedAt?: number;
  /** Started to finished, or to now for the running step. */
  durationMs?: number;
  detail?: string;
}

/** Traffic after one weights change: percent of the weight on each version (sums to 100 when any). */
export interface WeightPoint {
  at: number;
  shares: Record<string, number>;
  requestedPercent?: number;
  effectivePercent?: number;
}

export interface JudgementView {
  check: string;
  outcome: Outcome;
  /** As the analysis wrote it (units applied: "4.2%"), or "no data" / "error". */
  value: string;
  /** "<= 1%". */
  threshold: string;
  message: string;
  query?: string;
}

export interface AnalysisView {
  step: number;
  at: number;
  outcome: Outcome;
  instances?: string[];
  judgements: JudgementView[];
}

export interface DeployDetail {
  steps: StepView[];
  weights: WeightPoint[];
  /** Versions in the chart's order: the old one, the new one, then any other seen. */
  versions: string[];
  analyses: AnalysisView[];
  /** From the deploy-failed event: the command that rolls back by hand. */
  rollbackCommand?: string;
  guardLocked?: boolean;
  /** Approvals, pauses and resumes: who did what, when. */
  people: Array<{ at: number; text: string }>;
  /** Every event as one line, oldest first (the terminal's wording). */
  log: Array<{ at: number; lines: string[] }>;
  /** Where the chart's time axis ends: finishedAt, else now. */
  endAt: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function weightShares(
  weights: Record<string, number>,
  versions: Record<string, string>,
): Record<string, number> {
  const total = Object.values(weights).reduce((a, b) => a + Math.max(0, b), 0);
  const out: Record<string, number> = {};
  if (total <= 0) return out;
  for (const [instance, w] of Object.entries(weights)) {
    const v = versions[instance] ?? 'unknown';
    out[v] = (out[v] ?? 0) + Math.max(0, w);
  }
  for (const v of Object.keys(out)) out[v] = round1(((out[v] as number) / total) * 100);
  return out;
}

/**
 * Value and threshold as the judge formatted them: its message is `<value> <comparator> <threshold>`
 * (metrics/evaluate.ts judge()), with the check's unit applied, which the event does not carry.
 */
export function judgementView(j: Judgement): JudgementView {
  const base = {
    check: j.check,
    outcome: j.outcome,
    message: j.message,
    ...(j.query ? { query: j.query } : {}),
  };
  const raw = `${j.comparator} ${j.threshold}`;
  if (j.outcome === 'Error') return { ...base, value: 'error', threshold: raw };
  if (j.noData || j.value === undefined) return { ...base, value: 'no data', threshold: raw };
  const parts = j.message.replace(/ does not hold$/, '').split(` ${j.comparator} `);
  return parts.length === 2
    ? { ...base, value: parts[0] as string, threshold: `${j.comparator} ${parts[1] as string}` }
    : { ...base, value: String(j.value), threshold: raw };
}

function withPerson(e: DeployEvent): DeployEvent {
  return 'by' in e && (e.type === 'approved' || e.type === 'paused' || e.type === 'resumed')
    ? { ...e, by: displayBy(e.by) }
    : e;
}

export function deployDetail(record: DeployRecord, events: StoredDeployEvent[], now: number): DeployDetail {
  const final = FINAL_STATUSES.includes(record.status);
  const started = new Map<number, number>();
  const finished = new Map<number, { at: number; detail?: string }>();
  const weights: WeightPoint[] = [];
  const analyses: AnalysisView[] = [];
  const people: DeployDetail['people'] = [];
  let rollbackCommand: string | undefined;
  let guardLocked: boolean | undefined;
  let failedTime: number | undefined;
  const seen = new Set<string>();
  for (const { at, event: e } of events) {
    if (e.type === 'step-started') started.set(e.index, at);
    else if (e.type === 'step-finished') finished.set(e.index, { at, detail: e.detail });
    else if (e.type === 'weights-set') {
      const shares = weightShares(e.weights, e.versions);
      Object.keys(shares).forEach((v) => seen.add(v));
      weights.push({
        at,
        shares,
        ...(e.requestedPercent !== undefined ? { requestedPercent: e.requestedPercent } : {}),
        ...(e.effectivePercent !== undefined ? { effectivePercent: e.effectivePercent } : {}),
      });
    } else if (e.type === 'analysis')
      analyses.push({
        step: e.index,
        at,
        outcome: e.outcome,
        ...(e.instances ? { instances: e.instances } : {}),
        judgements: e.judgements.map(judgementView),
      });
    else if (e.type === 'deploy-failed') {
      rollbackCommand = e.rollbackCommand;
      failedTime = at;
    } else if (e.type === 'rollback-finished') guardLocked = e.guardLocked;
    else if (e.type === 'approved') people.push({ at, text: `approved by ${displayBy(e.by)}` });
    else if (e.type === 'paused' || e.type === 'resumed')
      people.push({ at, text: `${e.type} (${displayBy(e.by)})` });
  }
  const failedAt = record.failure?.step;
  const steps: StepView[] = record.plan.steps.map((step, index) => {
    const s = started.get(index);
    const f = finished.get(index);
    let state: StepState;
    if (f) state = 'done';
    else if (failedAt === index) state = 'failed';
    else if (s !== undefined && !final && record.status !== 'rolling-back') state = 'running';
    else if (final || failedAt !== undefined) state = 'not-run';
    else state = 'pending';
    const end = f?.at ?? (state === 'running' ? now : state === 'failed' ? failedTime : undefined);
    return {
      index,
      kind: step.kind,
      text: describeStep(step),
      state,
      ...(s !== undefined ? { startedAt: s } : {}),
      ...(f ? { finishedAt: f.at } : {}),
      ...(s !== undefined && end !== undefined ? { durationMs: Math.max(0, end - s) } : {}),
      ...(f?.detail ? { detail: f.detail } : {}),
    };
  });
  const versions = [
    ...new Set([...(record.fromVersion ? [record.fromVersion] : []), record.toVersion, ...[...seen].sort()]),
  ].filter((v) => seen.has(v) || v === record.toVersion);
  return {
    steps,
    weights,
    versions,
    analyses,
    ...(rollbackCommand ? { rollbackCommand } : {}),
    ...(guardLocked !== undefined ? { guardLocked } : {}),
    people,
    log: events.map(({ at, event }) => ({
      at,
      lines: formatDeployEvent(withPerson(event), record.plan).map((l) => l.trim()),
    })),
    endAt: record.finishedAt ?? now,
  };
}
