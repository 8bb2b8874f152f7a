import { versionsAfter } from '../deploy/executor-fleet.js';
import type { Judgement } from '../metrics/evaluate.js';
import type { DeployEvent, DeployFailure, DeployRecord, Step } from '../deploy/types.js';
import { applyEvent, cardOf, failureSummary, trafficOf, type DeployCard } from './deploy-card.js';
import type { CheckResult, DeployReply, GuardLockView, StepPosition } from './deploy-reply.js';
import { quoteArg as shellQuote } from '../deploy/drivers/shell-quote.js';
import { command } from './deploy-text.js';

/**
 * The story a deploy's Slack thread tells, as a pure function of the executor's events: each event
 * yields the card it leaves and the replies it adds. One reply per finished stage (weights, switch
 * and analysis results are told by their own events, with the values); approval, pauses, failure,
 * rollback and the end have theirs. The narrator (narrator.ts) does the I/O.
 */

export interface Story {
  card: DeployCard;
  steps: readonly Step[];
  /** What each instance ran before the deploy: the failure reply names what the rollback undoes. */
  before: Record<string, string>;
  /** The step between its step-started and step-finished. */
  current?: number;
  /** After deploy-failed or an abort: traffic changes now go back, not forward. */
  reverting: boolean;
  /** The deploy config, for the commands the thread prints. */
  config?: string;
}

export interface StoryContext {
  now: number;
  /** The record as stored now (an abort is only on the record: the executor emits no event for it). */
  record?: DeployRecord | null;
  /** The guard lock after a rollback locked it. */
  lock?: GuardLockView;
}

export function beginStory(record: DeployRecord, config?: string, opts: { rollback?: boolean } = {}): Story {
  return {
    card: cardOf(record, { ...(config ? { config } : {}), ...(opts.rollback ? { rollback: true } : {}) }),
    steps: record.plan.steps,
    before: record.fleetBefore?.versions ?? {},
    reverting: record.status === 'rolling-back',
    ...(config ? { config } : {}),
  };
}

/**
 * What a thread says before the first step: a rollback introduces itself (who, from what to what,
 * why, and how to look at it), since it may tell its story under another deploy's card.
 */
export function opening(story: Story): DeployReply[] {
  const card = story.card;
  if (!card.rollback) return [];
  return [
    {
      type: 'rollback-started',
      deployId: card.id,
      by: card.by,
      from: card.from,
      to: card.to,
      ...(card.reason ? { reason: card.reason } : {}),
      ...(card.rollbackOf ? { rollbackOf: card.rollbackOf } : {}),
      statusCommand: command('status', card.id, story.config),
    },
  ];
}

const at = (story: Story, index: number): StepPosition => ({ number: index + 1, total: story.steps.length });

export function checkResults(judgements: readonly Judgement[] | undefined): CheckResult[] {
  return (judgements ?? []).map((j) => ({
    check: j.check,
    outcome: j.outcome,
    ...(j.value !== undefined ? { value: j.value } : {}),
    comparator: j.comparator,
    threshold: j.threshold,
    message: j.message,
    ...(j.query ? { query: j.query } : {}),
  }));
}

/** `THREADER_GUARD_FILE=… threader guard status`: guard status reads the variable, not the deploy config. */
export function guardStatusCommand(file: string | undefined): string {
  return file ? `THREADER_GUARD_FILE=${shellQuote(file)} threader guard status` : 'threader guard status';
}

/** What the rollback undoes, in words a reader of the failure can check against the fleet. */
function rollingBack(story: Story, failure: DeployFailure): string {
  const after = versionsAfter(story.before, story.steps.slice(0, failure.step + 1));
  const started = Object.keys(after).filter(
    (i) => after[i] === story.card.to && story.before[i] !== story.card.to,
  );
  const back =
    story.card.from === null
      ? 'the new version leaves nginx'
      : `traffic goes back to ${story.card.from} first`;
  const stopped = started.length ? `, then ${started.join(', ')} (on ${story.card.to}) stop` : '';
  const restored = story.card.from === null ? '' : `; instances that ran ${story.card.from} run it again`;
  return `${back} (the fast path: no analysis)${stopped}${restored}.`;
}

/** "aborted by slack:U1:alice: rejected in Slack by @alice" → who and why (DeployAbortedError's message). */
export function parseAbort(message: string): { by?: string; reason?: string } {
  const m = /^aborted by (.+?)(?:: (.*))?$/s.exec(message);
  if (!m) return {};
  return { by: m[1] as string, ...(m[2] ? { reason: m[2] } : {}) };
}

function stopped(story: Story, ctx: StoryContext): DeployReply[] {
  const failure = ctx.record?.failure;
  if (!failure?.aborted) return [];
  const { by, reason } = parseAbort(failure.message);
  return [
    { type: 'stopped', ...(by ? { by } : {}), ...(reason ? { reason } : {}), message: failure.message },
  ];
}

function finishedStep(story: Story, e: Extract<DeployEvent, { type: 'step-finished' }>): DeployReply[] {
  const step = e.step;
  switch (step.kind) {
    case 'health-gate':
      return [{ type: 'health-gate-passed', at: at(story, e.index), instances: step.instances }];
    case 'start':
    case 'stop':
    case 'drain':
      return [
        {
          type: 'stage-finished',
          at: at(story, e.index),
          label: story.card.step?.label ?? step.kind,
          ...(e.detail ? { detail: e.detail } : {}),
        },
      ];
    case 'pause':
      return step.duration === undefined
        ? []
        : [{ type: 'stage-finished', at: at(story, e.index), label: `pause done (${step.reason})` }];
    default:
      // set-weight, switch and analyse were told by their own events; approve by approved.
      return [];
  }
}

function replies(story: Story, event: DeployEvent, ctx: StoryContext): DeployReply[] {
  switch (event.type) {
    case 'step-finished':
      return finishedStep(story, event);
    case 'weights-set': {
      const traffic = trafficOf(event.weights, event.versions);
      const index = story.current;
      const step = index === undefined ? undefined : story.steps[index];
      if (
        index === undefined ||
        story.reverting ||
        !step ||
        (step.kind !== 'set-weight' && step.kind !== 'switch')
      )
        return [
          ...(story.reverting ? [] : stopped(story, ctx)),
          { type: 'weight-set', traffic, reverting: true },
        ];
      if (step.kind === 'switch') return [{ type: 'switched', at: at(story, index), to: step.to, traffic }];
      return [
        {
          type: 'weight-set',
          at: at(story, index),
          ...(event.requestedPercent !== undefined ? { requestedPercent: event.requestedPercent } : {}),
          ...(event.effectivePercent !== undefined ? { effectivePercent: event.effectivePercent } : {}),
          traffic,
        },
      ];
    }
    case 'analysis': {
      const step = story.steps[event.index];
      return [
        {
          type: 'analysis',
          at: at(story, event.index),
          ...(step?.kind === 'analyse' ? { label: step.label } : {}),
          outcome: event.outcome,
          checks: checkResults(event.judgements),
          ...(event.instances ? { instances: event.instances } : {}),
        },
      ];
    }
    case 'approval-requested':
      return [
        {
          type: 'approval-requested',
          deployId: event.deployId,
          reason: event.reason,
          timeoutAt: event.timeoutAt,
          ...(event.index !== undefined ? { step: event.index } : {}),
          ...(event.approvers?.length ? { approvers: event.approvers } : {}),
          approveCommand: command('approve', event.deployId, story.config),
          abortCommand: command('abort', event.deployId, story.config),
        },
      ];
    case 'approved':
      return [{ type: 'approved', by: event.by }];
    case 'paused':
      return [
        {
          type: 'paused',
          by: event.by,
          resumeCommand: command('resume', event.deployId, story.config),
          abortCommand: command('abort', event.deployId, story.config),
        },
      ];
    case 'resumed':
      return [{ type: 'resumed', by: event.by }];
    case 'deploy-failed':
      return [
        {
          type: 'failure',
          deployId: event.deployId,
          service: story.card.service,
          env: story.card.env,
          to: story.card.to,
          from: story.card.from,
          at: at(story, event.failure.step),
          kind: event.failure.kind,
          message: event.failure.message,
          checks: checkResults(event.failure.judgements),
          rollingBack: rollingBack(story, event.failure),
          rollbackCommand: event.rollbackCommand,
          ...(story.card.rollback ? { rollback: true } : {}),
        },
      ];
    case 'rollback-finished':
      return [
        ...(story.reverting ? [] : stopped(story, ctx)),
        {
          type: 'rollback-finished',
          guardLocked: event.guardLocked,
          ...(ctx.lock ? { lock: ctx.lock } : {}),
          ...(event.guardLocked ? { guardStatusCommand: guardStatusCommand(event.guardFile) } : {}),
          ...(story.card.traffic ? { traffic: story.card.traffic } : {}),
        },
      ];
    case 'deploy-finished':
      return [
        {
          type: 'finished',
          status: event.status,
          to: story.card.to,
          from: story.card.from,
          durationMs: ctx.now - story.card.startedAt,
          ...(story.card.rollback ? { rollback: true } : {}),
        },
      ];
    default:
      return [];
  }
}

/** The story after one event, and the replies it adds (in order). */
export function narrate(
  story: Story,
  event: DeployEvent,
  ctx: StoryContext,
): { story: Story; replies: DeployReply[] } {
  const said = replies(story, event, ctx);
  let card = applyEvent(story.card, event, story.steps.length, ctx.now);
  const failure = ctx.record?.failure;
  if (event.type === 'deploy-finished' && failure && !card.failure)
    card = { ...card, failure: failureSummary(failure, story.steps.length) };
  const reverting =
    story.reverting ||
    event.type === 'deploy-failed' ||
    said.some((r) => r.type === 'stopped' || (r.type === 'weight-set' && r.reverting));
  const current =
    event.type === 'step-started' ? event.index : event.type === 'step-finished' ? undefined : story.current;
  const next: Story = { ...story, card, reverting };
  if (current === undefined) delete next.current;
  else next.current = current;
  return { story: next, replies: said };
}
