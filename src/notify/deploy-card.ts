import { versionsAfter, weightsAfter } from '../deploy/executor-fleet.js';
import { describeStep } from '../deploy/progress.js';
import type {
  DeployEvent,
  DeployFailure,
  DeployRecord,
  DeployStatus,
  StrategyName,
  Step,
} from '../deploy/types.js';

/**
 * The live card at the top of a deploy's Slack thread, as data. Every version of it is stored as
 * the payload of an `update_parent` outbox row, and the renderer draws the newest one when Slack is
 * called (deploy-renderer.ts): the card must carry everything the parent shows. Pure.
 */

/** A rollback: made by `threader rollback` (its record says so), or an older record naming what it undoes. */
export function isRollback(record: Pick<DeployRecord, 'rollbackOf' | 'rollback'>): boolean {
  return !!record.rollback || !!record.rollbackOf;
}

/** Share of traffic one version gets from nginx's weights. */
export interface TrafficShare {
  version: string;
  /** Sum of the weights of its instances in the upstream. */
  weight: number;
  /** Effective share of requests, 0–100, one decimal. */
  percent: number;
  instances: string[];
}

export interface DeployCard {
  id: string;
  service: string;
  env: string;
  strategy: StrategyName;
  from: string | null;
  to: string;
  by: string;
  reason?: string;
  rollbackOf?: string;
  /** The card of a rollback (`threader rollback`), which says so: it may undo a deploy it does not name. */
  rollback?: boolean;
  status: DeployStatus;
  /** The step running now (1-based); absent once the deploy is over. */
  step?: { number: number; total: number; label: string };
  traffic?: TrafficShare[];
  /** Waiting for a person: why, and when the request times out (epoch ms). */
  approval?: { reason: string; timeoutAt: number };
  approvedBy?: string;
  /** One line: where and why it failed. */
  failure?: string;
  guardLocked?: boolean;
  startedAt: number;
  finishedAt: number | null;
  /** The deploy config the commands on the card need (`threader status ID --config …`). */
  config?: string;
}

export interface CardExtra {
  step?: DeployCard['step'];
  traffic?: TrafficShare[];
  approval?: DeployCard['approval'];
  config?: string;
  /** Told by `threader rollback` itself (a rollback that aborted a live deploy names no rollbackOf). */
  rollback?: boolean;
}

const FINAL: readonly DeployStatus[] = ['succeeded', 'failed', 'rolled-back', 'aborted'];

export function isFinal(status: DeployStatus): boolean {
  return FINAL.includes(status);
}

/** Who gets what share of requests: nginx sends each server weight / total of them. */
export function trafficOf(weights: Record<string, number>, versions: Record<string, string>): TrafficShare[] {
  const total = Object.values(weights).reduce((n, w) => n + (w > 0 ? w : 0), 0);
  const by = new Map<string, TrafficShare>();
  for (const [instance, weight] of Object.entries(weights)) {
    if (weight <= 0) continue;
    const version = versions[instance] ?? 'unknown';
    const share = by.get(version) ?? { version, weight: 0, percent: 0, instances: [] };
    share.weight += weight;
    share.instances.push(instance);
    by.set(version, share);
  }
  return [...by.values()]
    .map((s) => ({ ...s, percent: total > 0 ? Math.round((s.weight / total) * 1000) / 10 : 0 }))
    .sort((a, b) => b.percent - a.percent || a.version.localeCompare(b.version));
}

export function stepOf(steps: readonly Step[], index: number): DeployCard['step'] {
  const step = steps[index];
  return step ? { number: index + 1, total: steps.length, label: describeStep(step) } : undefined;
}

/** "step 4 of 9 (analyse): analysis … Failed: …" */
export function failureSummary(failure: DeployFailure, total: number): string {
  return `step ${failure.step + 1} of ${total} (${failure.kind}): ${failure.message}`;
}

/**
 * The card a record stands for: what a resumed deploy starts from, before any event. Traffic is
 * what the finished steps left (the fleet before the deploy, then every weight change since).
 */
export function cardOf(record: DeployRecord, extra: CardExtra = {}): DeployCard {
  const steps = record.plan.steps;
  const done = steps.slice(0, record.stepIndex);
  const before = record.fleetBefore;
  const weights = weightsAfter(before?.weights ?? {}, done);
  const traffic =
    extra.traffic ??
    (Object.keys(weights).length > 0
      ? trafficOf(weights, versionsAfter(before?.versions ?? {}, done))
      : undefined);
  const final = isFinal(record.status);
  const step = extra.step ?? (final ? undefined : stepOf(steps, record.stepIndex));
  return {
    id: record.id,
    service: record.service,
    env: record.env,
    strategy: record.strategy,
    from: record.fromVersion,
    to: record.toVersion,
    by: record.by,
    ...(record.reason ? { reason: record.reason } : {}),
    ...(record.rollbackOf ? { rollbackOf: record.rollbackOf } : {}),
    ...(extra.rollback || isRollback(record) ? { rollback: true } : {}),
    status: record.status,
    ...(step ? { step } : {}),
    ...(traffic ? { traffic } : {}),
    ...(extra.approval ? { approval: extra.approval } : {}),
    ...(record.failure ? { failure: failureSummary(record.failure, steps.length) } : {}),
    startedAt: record.createdAt,
    finishedAt: record.finishedAt,
    ...(extra.config ? { config: extra.config } : {}),
  };
}

/**
 * The card after one executor event; `total` is the plan's step count, `now` stamps the end.
 * Returns the same object when the event changes nothing a reader would see.
 */
export function applyEvent(card: DeployCard, event: DeployEvent, total: number, now: number): DeployCard {
  const { approval: _approval, step: _step, ...rest } = card;
  switch (event.type) {
    case 'step-started':
      return {
        ...card,
        status: card.status === 'paused' ? 'paused' : 'running',
        step: { number: event.index + 1, total, label: describeStep(event.step) },
      };
    case 'weights-set':
      return { ...card, traffic: trafficOf(event.weights, event.versions) };
    case 'approval-requested':
      return {
        ...card,
        status: 'waiting-approval',
        approval: { reason: event.reason, timeoutAt: event.timeoutAt },
      };
    case 'approved':
      return { ...rest, ...(card.step ? { step: card.step } : {}), status: 'running', approvedBy: event.by };
    case 'paused':
      return { ...card, status: 'paused' };
    case 'resumed':
      return { ...card, status: 'running' };
    case 'deploy-failed':
      return { ...rest, status: 'rolling-back', failure: failureSummary(event.failure, total) };
    case 'rollback-finished':
      return { ...card, guardLocked: event.guardLocked };
    case 'deploy-finished':
      return { ...rest, status: event.status, finishedAt: now };
    default:
      return card;
  }
}
