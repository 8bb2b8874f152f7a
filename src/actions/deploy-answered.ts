import { escapeText } from '../slack/render/escape.js';
import type { SlackActor } from '../store/types.js';
import { ACTION_IDS, DEPLOY_APPROVAL_BLOCK_ID } from './button-ids.js';

type Block = Record<string, unknown>;

/** The message a button was on, as Slack echoes it in the block_actions payload. */
export interface PressedMessage {
  text: string;
  blocks?: Block[];
}

/** A press that was recorded: who answered the gate, how, and whether an executor acts on it now. */
export interface DeployVerdict {
  verdict: 'approved' | 'rejected';
  actor: SlackActor;
  /** False when no executor drives the deploy: the answer waits for `threader deploy --resume`. */
  live: boolean;
}

/** Where the verdict line goes in place of the buttons (one block, so the request keeps its shape). */
export const DEPLOY_ANSWERED_BLOCK_ID = `${DEPLOY_APPROVAL_BLOCK_ID}_answered`;

const DEPLOY_ACTIONS: readonly unknown[] = [ACTION_IDS.deployApprove, ACTION_IDS.deployReject];
/** Slack user IDs (U…, W… on Enterprise Grid): only these become a mention. */
const USER_ID = /^[UW][A-Z0-9]{2,20}$/;

/** "Approved by <@U…> — the deploy continues" and its kin, with the presser as a mention. */
export function verdictLine(v: DeployVerdict): string {
  const who = USER_ID.test(v.actor.id) ? `<@${v.actor.id}>` : escapeText(`@${v.actor.name}`);
  if (v.verdict === 'approved')
    return v.live
      ? `:white_check_mark: Approved by ${who} — the deploy continues`
      : `:white_check_mark: Approved by ${who} — recorded; it takes effect when the deploy is resumed`;
  return v.live
    ? `:no_entry: Rejected by ${who} — reverting`
    : `:no_entry: Rejected by ${who} — recorded; the deploy reverts when it is resumed`;
}

const isApprovalActions = (b: Block): boolean =>
  b.block_id === DEPLOY_APPROVAL_BLOCK_ID ||
  (b.type === 'actions' &&
    Array.isArray(b.elements) &&
    (b.elements as Block[]).some((e) => DEPLOY_ACTIONS.includes(e.action_id)));

/**
 * The approval request once answered (pure): the same message, its Approve / Reject buttons
 * replaced by who answered and what happens now, so nobody presses an answered gate again. The
 * request's own text and blocks are kept as Slack echoed them (our own rendering, escaped when it
 * was posted). Undefined when the message holds no approval buttons: it is not a request of ours.
 */
export function answeredRequest(message: PressedMessage, v: DeployVerdict): PressedMessage | undefined {
  const blocks = message.blocks ?? [];
  if (!blocks.some(isApprovalActions)) return undefined;
  const line = verdictLine(v);
  const verdict = {
    type: 'section',
    block_id: DEPLOY_ANSWERED_BLOCK_ID,
    text: { type: 'mrkdwn', text: line },
  };
  // Block ids are unique within a message: the verdict takes the first buttons' place only.
  const first = blocks.findIndex(isApprovalActions);
  return {
    text: message.text ? `${message.text} — ${line}` : line,
    blocks: blocks.flatMap((b, i) => (i === first ? [verdict] : isApprovalActions(b) ? [] : [b])),
  };
}
