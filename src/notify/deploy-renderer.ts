import { fitMessage } from '../slack/render/limits.js';
import { slackDate } from '../slack/render/format.js';
import type { ThreadRenderer } from '../slack/engine-types.js';
import type { Block, SlackMessage } from '../slack/types.js';
import type { ThreadRecord, ThreadStore } from '../store/types.js';
import { isFinal, type DeployCard } from './deploy-card.js';
import { renderReply } from './deploy-reply-render.js';
import { command, duration, STATUS_LOOK, t, trafficText, version, who } from './deploy-text.js';

/**
 * Deploy threads in Slack: the parent is the deploy's live card, the replies tell its story. The
 * card drawn is the newest one queued (the payload of the thread's latest `update_parent` row; the
 * thread's state is the first), loaded when Slack is called: edits coalesce, and any process
 * holding the thread store can deliver a deploy's rows (`threader slack flush`).
 */

/** The newest card queued for a thread, else the one it was opened with. */
export async function latestCard(store: ThreadStore, thread: ThreadRecord<unknown>): Promise<DeployCard> {
  const edits = (await store.outbox(thread.id)).filter((o) => o.kind === 'update_parent');
  const newest = edits.reduce<(typeof edits)[number] | undefined>(
    (best, o) => (best === undefined || o.id > best.id ? o : best),
    undefined,
  );
  return (newest?.payload ?? thread.state) as DeployCard;
}

const field = (name: string, value: string) => ({
  type: 'mrkdwn',
  text: `*${name}*\n${value}`,
  verbatim: true,
});
const section = (text: string): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text, verbatim: true },
});

export function renderCard(card: DeployCard): SlackMessage {
  const look = STATUS_LOOK[card.status] ?? { emoji: ':grey_question:', label: card.status };
  // A rollback says so first: its "from" is the version someone wanted undone, not the stable one.
  const what = card.rollback ? 'rollback of ' : '';
  const title = `${look.emoji} ${card.rollback ? '*Rollback* of ' : ''}*${t(card.service)}* ${version(card.from)} → ${version(card.to)} to *${t(card.env)}*: *${look.label}*`;
  const fields = [
    field('Strategy', t(card.strategy)),
    field('By', who(card.by)),
    field(
      'Step',
      card.step
        ? `${card.step.number}/${card.step.total}: ${t(card.step.label)}`
        : isFinal(card.status)
          ? 'done'
          : '—',
    ),
    field('Traffic', card.traffic ? trafficText(card.traffic) : '—'),
    field('Started', slackDate(card.startedAt)),
  ];
  if (card.finishedAt !== null)
    fields.push(
      field('Finished', `${slackDate(card.finishedAt)} (${duration(card.finishedAt - card.startedAt)})`),
    );
  if (card.reason) fields.push(field('Reason', t(card.reason)));
  if (card.rollbackOf) fields.push(field('Rolls back', `\`${t(card.rollbackOf)}\``));
  if (card.approvedBy) fields.push(field('Approved by', who(card.approvedBy)));
  const blocks: Block[] = [section(title), { type: 'section', fields }];
  if (card.approval && card.status === 'waiting-approval')
    blocks.push(
      section(
        `:raised_hand: *Waiting for approval*: ${t(card.approval.reason)} — Approve / Reject in the thread, or \`${t(command('approve', card.id, card.config))}\`. Times out ${slackDate(card.approval.timeoutAt)}.`,
      ),
    );
  if (card.failure) blocks.push(section(`:x: *Failed* at ${t(card.failure)}`));
  if (card.guardLocked)
    blocks.push(section(':lock: The guard window is locked: no deploys until it is released.'));
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `deploy \`${t(card.id)}\` · \`${t(command('status', card.id, card.config))}\``,
        verbatim: true,
      },
    ],
  });
  const text = `${look.emoji} ${what}${card.service} ${card.from ?? 'nothing'} → ${card.to} to ${card.env}: ${look.label}`;
  return fitMessage({ text: t(text), blocks });
}

export function deployRenderer(store: ThreadStore): ThreadRenderer {
  return {
    load: (thread) => latestCard(store, thread),
    parent: (thread, ctx) => renderCard((ctx.data as DeployCard | undefined) ?? (thread.state as DeployCard)),
    reply: (_thread, payload) => renderReply(payload),
  };
}
