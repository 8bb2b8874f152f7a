import type { DeployEvent, DeployRecord } from '../deploy/types.js';
import { displayBy, slackBy } from '../slack/actor-by.js';
import { escapeText } from '../slack/render/escape.js';
import { FINAL_STATUSES, type DeployControlRequest } from '../store/deploy-types.js';
import type { SlackActor } from '../store/types.js';
import type { DeployPress } from './button-ids.js';

export type ApprovalRequested = Extract<DeployEvent, { type: 'approval-requested' }>;

/** What `threader serve` knows when an Approve / Reject press arrives (read from the deploy records). */
export interface DeployPressFacts {
  press: DeployPress;
  actor: SlackActor;
  /** The deploy as stored now; null when these records have no such deploy. */
  record: Pick<DeployRecord, 'id' | 'env' | 'status' | 'stepIndex'> | null;
  /** The newest approval-requested event of the deploy. */
  request?: ApprovalRequested;
  /** Who approved that request, when its 'approved' event is logged. */
  approvedBy?: string;
  /** Whether an executor drives the deploy now (executor-start.ts ownerLiveness). */
  executor: { alive: boolean; why?: string };
  now: number;
}

export type DeployPressRefusal =
  | 'deploy_unknown'
  | 'deploy_finished'
  | 'not_waiting'
  | 'stale_request'
  | 'not_approver'
  | 'approval_expired';

export type DeployPressDecision =
  /** `live`: an executor drives the deploy now, so the answer takes effect at once. */
  | { kind: 'record'; control: DeployControlRequest; text: string; live: boolean }
  | { kind: 'refuse'; code: DeployPressRefusal; text: string };

/** The way to answer without Slack, printed in every refusal that someone could still act on. */
export const fallback = (id: string, action: 'approve' | 'abort') =>
  `\`threader ${action} ${id} --config <deploy config>\``;

/**
 * What one press does (pure). A press records a control request only while the deploy waits at
 * the very gate the button belongs to, the presser is among that gate's approvers, and its time
 * has not run out; anything else is refused and changes nothing. Reject is an abort of THIS gate:
 * a Reject pressed after the gate was answered does not stop the deploy (`threader abort` does).
 */
export function decideDeployPress(f: DeployPressFacts): DeployPressDecision {
  const { press, record, request } = f;
  const id = press.deployId;
  const verb = press.kind === 'deploy-approve' ? 'approve' : 'reject';
  const refuse = (code: DeployPressRefusal, text: string): DeployPressDecision => ({
    kind: 'refuse',
    code,
    text: `${text} Nothing was changed.`,
  });
  if (!record)
    return refuse(
      'deploy_unknown',
      `Deploy ${id} is not in the deploy records this threader reads (deploys.stateDb / THREADER_DEPLOY_DB must be the database \`threader deploy\` writes).`,
    );
  if (FINAL_STATUSES.includes(record.status))
    return refuse('deploy_finished', `Deploy ${id} has already finished (${record.status}).`);
  const stop = verb === 'reject' ? ` To stop it: ${fallback(id, 'abort')}.` : '';
  if (f.approvedBy)
    return refuse(
      'not_waiting',
      `Deploy ${id} was already approved by ${escapeText(displayBy(f.approvedBy))}.${stop}`,
    );
  if (record.status !== 'waiting-approval' || !request)
    return refuse('not_waiting', `Deploy ${id} is ${record.status}, not waiting for an approval.${stop}`);
  if (press.step !== undefined && press.step !== record.stepIndex)
    return refuse(
      'stale_request',
      `This approval request of deploy ${id} was already answered; the deploy now waits at a later approval (step ${record.stepIndex + 1}): answer the newest request in the thread.`,
    );
  const approvers = request.approvers ?? [];
  if (approvers.length && !approvers.includes(f.actor.id))
    return refuse(
      'not_approver',
      `Only the approvers of ${escapeText(record.env)} may ${verb} deploy ${id}: ${approvers.map((u) => `<@${u}>`).join(', ')}. Ask one of them, or run ${fallback(id, verb === 'approve' ? 'approve' : 'abort')} where the deploy records are.`,
    );
  if (f.now > request.timeoutAt)
    return refuse(
      'approval_expired',
      `The approval request of deploy ${id} timed out at ${new Date(request.timeoutAt).toISOString()}; the deploy no longer waits for it.`,
    );
  const by = slackBy(f.actor);
  // The gate this press was judged against: the executor ignores it if the deploy has moved on
  // by the time it reads it (another approver, or `threader approve`, answered first).
  const step = record.stepIndex;
  const control: DeployControlRequest =
    verb === 'approve'
      ? { action: 'approve', by, step }
      : { action: 'abort', by, reason: `rejected in Slack by @${f.actor.name}`, step };
  if (!f.executor.alive) {
    // Like `threader approve`: recorded, and taken by whoever resumes the deploy.
    const why = escapeText(f.executor.why ?? 'it has no executor');
    const what = verb === 'approve' ? 'Approval' : 'Rejection';
    return {
      kind: 'record',
      control,
      text: `${what} recorded for deploy ${id}, but ${why}: it takes effect when \`threader deploy --resume ${id} --config <deploy config>\` runs.`,
      live: false,
    };
  }
  const text =
    verb === 'approve'
      ? 'Approved — the deploy continues.'
      : `Rejected — deploy ${id} stops and its changes are reverted (status aborted).`;
  return { kind: 'record', control, text, live: true };
}

/** The facts the event log holds: the newest approval request and who approved it, if anyone did. */
export function approvalState(events: readonly DeployEvent[]): {
  request?: ApprovalRequested;
  approvedBy?: string;
} {
  let request: ApprovalRequested | undefined;
  let approvedBy: string | undefined;
  for (const e of events) {
    if (e.type === 'approval-requested') {
      request = e;
      approvedBy = undefined;
    } else if (e.type === 'approved' && request) approvedBy = e.by;
  }
  return { ...(request ? { request } : {}), ...(approvedBy !== undefined ? { approvedBy } : {}) };
}
