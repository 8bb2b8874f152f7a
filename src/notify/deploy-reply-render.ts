import { ACTION_IDS, DEPLOY_APPROVAL_BLOCK_ID, deployApprovalValue } from '../actions/button-ids.js';
import { codeBlock } from '../slack/render/code-block.js';
import { slackDate } from '../slack/render/format.js';
import { fitMessage } from '../slack/render/limits.js';
import type { Block, SlackMessage } from '../slack/types.js';
import type { CheckResult, DeployReply, GuardLockView } from './deploy-reply.js';
import { code, duration, position, STATUS_LOOK, t, trafficText, version, who } from './deploy-text.js';

/** How each DeployReply reads in Slack. Pure; every string from a config or a person is escaped. */

const section = (text: string): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text, verbatim: true },
});
const context = (text: string): Block => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text, verbatim: true }],
});

const OUTCOME_EMOJI: Record<string, string> = {
  Successful: ':white_check_mark:',
  Failed: ':x:',
  Inconclusive: ':grey_question:',
  Error: ':warning:',
};

/** "• *http_5xx_ratio* :x: 19.8% <= 1% — value 0.198, threshold <= 0.01" and the query as code. */
function checkLine(c: CheckResult): string {
  const value = c.value === undefined ? 'no data' : String(c.value);
  const query = c.query ? `\n    query: ${code(c.query)}` : '';
  return `• *${t(c.check)}* ${OUTCOME_EMOJI[c.outcome] ?? ''} ${t(c.message)} — value ${t(value)}, threshold ${t(`${c.comparator} ${c.threshold}`)}${query}`;
}

/** A configured approver: a Slack user ID becomes a mention, anything else stays text. */
function mention(id: string): string {
  return /^[UW][A-Z0-9]{2,30}$/.test(id) ? `<@${id}>` : t(id);
}

function releaseText(lock: GuardLockView): string {
  const cap = lock.expiresAt ? `; it expires at ${slackDate(Date.parse(lock.expiresAt))} at the latest` : '';
  if (lock.mode === 'time') return `It is released at ${slackDate(Date.parse(lock.until))}.`;
  return `It is released after ${slackDate(Date.parse(lock.until))} once ${lock.healthyEvaluations} consecutive evaluations of the SLOs (5xx ratio, health checks, error logs) are healthy${cap}.`;
}

function plain(text: string, blocks: Block[], broadcast = false): SlackMessage & { broadcast?: boolean } {
  const msg = fitMessage({ text, blocks });
  return broadcast ? { ...msg, broadcast: true } : msg;
}

export function renderReply(payload: unknown): SlackMessage & { broadcast?: boolean } {
  const r = payload as DeployReply;
  switch (r.type) {
    case 'rollback-started': {
      const why = r.reason ? ` (${t(r.reason)})` : '';
      const of = r.rollbackOf ? `, undoing ${code(r.rollbackOf)}` : '';
      const line = `:leftwards_arrow_with_hook: rollback ${code(r.deployId)} by ${who(r.by)}: ${version(r.from)} → ${version(r.to)}${why}${of}`;
      return plain(line, [section(line), context(code(r.statusCommand))]);
    }
    case 'stage-started': {
      const line = `:arrow_forward: ${position(r.at)}${t(r.label)}`;
      return plain(line, [section(line)]);
    }
    case 'stage-finished': {
      const line = `:heavy_check_mark: ${position(r.at)}${t(r.detail ?? r.label)}`;
      return plain(line, [section(line)]);
    }
    case 'health-gate-passed': {
      const line = `:stethoscope: ${position(r.at)}health gate passed: ${t(r.instances.join(', '))}`;
      return plain(line, [section(line)]);
    }
    case 'weight-set': {
      const pct =
        r.requestedPercent === undefined
          ? ''
          : ` to ${r.requestedPercent} % (effective ${r.effectivePercent ?? r.requestedPercent} %)`;
      const head = r.reverting
        ? `:rewind: traffic back${pct}`
        : `:balance_scale: ${position(r.at)}weight set${pct}`;
      const line = `${head}: ${trafficText(r.traffic)}`;
      return plain(line, [section(line)]);
    }
    case 'switched': {
      const line = `:twisted_rightwards_arrows: ${position(r.at)}switched traffic to ${t(r.to)}: ${trafficText(r.traffic)}`;
      return plain(line, [section(line)]);
    }
    case 'analysis': {
      const head = `${OUTCOME_EMOJI[r.outcome] ?? ''} ${position(r.at)}analysis${r.label ? ` ${code(r.label)}` : ''}: *${t(r.outcome)}*${r.instances?.length ? ` (measured ${t(r.instances.join(', '))})` : ''}`;
      return plain(head, [section([head, ...r.checks.map(checkLine)].join('\n'))]);
    }
    case 'approval-requested': {
      const value = deployApprovalValue(r.deployId, r.step);
      const only = r.approvers?.length ? ` Only ${r.approvers.map(mention).join(', ')} may answer here.` : '';
      const head = `:raised_hand: *Approval needed* to go on: ${t(r.reason)}. Times out ${slackDate(r.timeoutAt)}.${only}`;
      const blocks: Block[] = [
        section(head),
        {
          type: 'actions',
          block_id: DEPLOY_APPROVAL_BLOCK_ID,
          elements: [
            {
              type: 'button',
              action_id: ACTION_IDS.deployApprove,
              text: { type: 'plain_text', text: 'Approve', emoji: true },
              style: 'primary',
              value,
            },
            {
              type: 'button',
              action_id: ACTION_IDS.deployReject,
              text: { type: 'plain_text', text: 'Reject', emoji: true },
              style: 'danger',
              value,
              confirm: {
                title: { type: 'plain_text', text: 'Reject this deploy?' },
                text: { type: 'plain_text', text: 'Traffic goes back to the stable version.' },
                confirm: { type: 'plain_text', text: 'Reject' },
                deny: { type: 'plain_text', text: 'Cancel' },
              },
            },
          ],
        },
        context(`Or from a terminal: ${code(r.approveCommand)} (to reject: ${code(r.abortCommand)})`),
      ];
      return plain(`Approval needed to go on: ${t(r.reason)}`, blocks);
    }
    case 'approved': {
      const line = `:white_check_mark: approved by ${who(r.by)}`;
      return plain(line, [section(line)]);
    }
    case 'stopped': {
      const line = r.by
        ? `:octagonal_sign: stopped by ${who(r.by)}${r.reason ? `: ${t(r.reason)}` : ''} — traffic goes back to the stable version`
        : `:octagonal_sign: ${t(r.message)} — traffic goes back to the stable version`;
      return plain(line, [section(line)]);
    }
    case 'paused': {
      const line = `:double_vertical_bar: paused (${who(r.by)}): ${code(r.resumeCommand)} to go on, ${code(r.abortCommand)} to roll back`;
      return plain(line, [section(line)]);
    }
    case 'resumed': {
      const line = `:arrow_forward: resumed by ${who(r.by)}`;
      return plain(line, [section(line)]);
    }
    case 'failure': {
      const what = r.rollback ? 'Rollback' : 'Deploy';
      const head = `:rotating_light: *${what} of ${t(r.service)} ${version(r.to)} to ${t(r.env)} failed* at step ${position(r.at).trim()} (${t(r.kind)}) — rolling back to ${version(r.from)}`;
      const blocks: Block[] = [section(`${head}\n${t(r.message)}`)];
      if (r.checks.length > 0) blocks.push(section(r.checks.map(checkLine).join('\n')));
      blocks.push(section(`*Rolling back:* ${t(r.rollingBack)}`));
      blocks.push(section(`*To roll back by hand* (run as printed):\n${codeBlock(r.rollbackCommand)}`));
      return plain(
        `${what} of ${t(r.service)} ${t(r.to)} to ${t(r.env)} failed: ${t(r.message)}`,
        blocks,
        true,
      );
    }
    case 'rollback-finished': {
      const head = `:leftwards_arrow_with_hook: rollback finished${r.traffic ? `: ${trafficText(r.traffic)}` : ''}`;
      const blocks: Block[] = [section(head)];
      if (r.guardLocked) {
        const lock = r.lock
          ? `:lock: *The guard window is locked* (${t(r.lock.reason)}). ${releaseText(r.lock)}`
          : ':lock: *The guard window is locked.*';
        blocks.push(section(lock));
        if (r.guardStatusCommand) blocks.push(context(`Check it: ${code(r.guardStatusCommand)}`));
      }
      return plain(head, blocks);
    }
    case 'finished': {
      const look = STATUS_LOOK[r.status];
      const line = `${look.emoji} ${r.rollback ? 'rollback' : 'deploy'} ${t(look.label)}: ${version(r.to)} after ${duration(r.durationMs)}`;
      return plain(line, [section(line)]);
    }
    default:
      return plain('(unknown deploy reply)', [section('(unknown deploy reply)')]);
  }
}
