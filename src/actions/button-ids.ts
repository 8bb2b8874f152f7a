/**
 * What our buttons send back. Slack echoes `action_id` and `value` in the block_actions payload;
 * they say which thread and what was asked, and are never trusted beyond that: the thread is
 * looked up in the store, the duration must be one we offer.
 */
export const ACTION_IDS = {
  ack: 'threader_ack',
  silence: 'threader_silence',
  unsilence: 'threader_unsilence',
  runbook: 'threader_runbook',
  alertmanager: 'threader_alertmanager',
  /**
   * A deploy's approval request. Value: the deploy id, optionally `@` and the approve step's index
   * (deployApprovalValue), so a press of an older request cannot answer a later gate.
   */
  deployApprove: 'threader_deploy_approve',
  deployReject: 'threader_deploy_reject',
} as const;

/** The block holding a deploy approval's Approve / Reject buttons. */
export const DEPLOY_APPROVAL_BLOCK_ID = 'threader_deploy_approval';

export const BLOCK_ID = 'threader_controls';

/** The silence durations a thread offers (the 1 h / 4 h / 24 h). */
export const SILENCE_CHOICES = [
  { label: '1 hour', hours: 1 },
  { label: '4 hours', hours: 4 },
  { label: '24 hours', hours: 24 },
] as const;

/** Select option values are at most 150 characters; thread ids are 23. */
export function silenceOptionValue(threadId: string, hours: number): string {
  return `${hours}h:${threadId}`;
}

export type Press =
  | { kind: 'ack'; threadId: string }
  | { kind: 'silence'; threadId: string; durationMs: number }
  | { kind: 'unsilence'; threadId: string }
  /** A link button (Runbook, Alertmanager): Slack tells us, Slack opens the link; nothing to do. */
  | { kind: 'link' }
  | DeployPress;

/** Approve / Reject on a deploy's approval request; `step` is the gate's index when the button names it. */
export interface DeployPress {
  kind: 'deploy-approve' | 'deploy-reject';
  deployId: string;
  step?: number;
}

const THREAD_ID = /^[A-Za-z0-9_:.-]{1,100}$/;
/** Deploy ids are `d-20261126T120000Z-a1b2c3`; the step index is at most 4 digits. */
const DEPLOY_VALUE = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,99})(?:@(\d{1,4}))?$/;

/** The Approve / Reject buttons' value for the gate at step `index` of deploy `deployId`. */
export function deployApprovalValue(deployId: string, index?: number): string {
  return index === undefined ? deployId : `${deployId}@${index}`;
}

export function isDeployPress(p: Press): p is DeployPress {
  return p.kind === 'deploy-approve' || p.kind === 'deploy-reject';
}

/** The press one action of a payload stands for, or undefined when it is none of ours. */
export function pressOf(action: {
  action_id?: unknown;
  value?: unknown;
  selected?: unknown;
}): Press | undefined {
  const value = typeof action.value === 'string' ? action.value : undefined;
  switch (action.action_id) {
    case ACTION_IDS.ack:
    case ACTION_IDS.unsilence:
      if (!value || !THREAD_ID.test(value)) return undefined;
      return { kind: action.action_id === ACTION_IDS.ack ? 'ack' : 'unsilence', threadId: value };
    case ACTION_IDS.silence: {
      const m = typeof action.selected === 'string' ? /^(\d+)h:(.+)$/.exec(action.selected) : null;
      const hours = m ? Number(m[1]) : NaN;
      if (!m || !SILENCE_CHOICES.some((c) => c.hours === hours) || !THREAD_ID.test(m[2] as string))
        return undefined;
      return { kind: 'silence', threadId: m[2] as string, durationMs: hours * 3_600_000 };
    }
    case ACTION_IDS.deployApprove:
    case ACTION_IDS.deployReject: {
      const m = value ? DEPLOY_VALUE.exec(value) : null;
      if (!m) return undefined;
      return {
        kind: action.action_id === ACTION_IDS.deployApprove ? 'deploy-approve' : 'deploy-reject',
        deployId: m[1] as string,
        ...(m[2] !== undefined ? { step: Number(m[2]) } : {}),
      };
    }
    case ACTION_IDS.runbook:
    case ACTION_IDS.alertmanager:
      return { kind: 'link' };
    default:
      return undefined;
  }
}
