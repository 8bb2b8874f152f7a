import { ACTION_IDS, BLOCK_ID, SILENCE_CHOICES, silenceOptionValue } from '../../actions/button-ids.js';
import type { EpisodeState } from '../../core/types.js';
import type { SlackActor, ThreadInteraction } from '../../store/types.js';
import type { Block } from '../types.js';
import { escapeText, isHttpUrl } from './escape.js';
import { context, slackDate } from './format.js';

/** Slack caps a URL in a button at 3,000 characters (protocol: button element). */
const MAX_URL = 3_000;

export interface Controls {
  threadId: string;
  interaction?: ThreadInteraction | null;
}

/**
 * Who acknowledged or silenced, as a mention: the id comes from a request Slack signed, so it is
 * Slack's own user id; anything else is shown as escaped text.
 */
export function actorText(by: SlackActor): string {
  return /^[UW][A-Z0-9]{2,30}$/.test(by.id) ? `<@${by.id}>` : escapeText(by.name || by.id);
}

/** Lines telling what people (and the reconciler) did with this thread. */
export function interactionLines(
  i: ThreadInteraction | null | undefined,
  now: number,
  resolved: boolean,
): Block[] {
  if (!i) return [];
  const lines: string[] = [];
  // Only once the synthetic resolve is processed: the mark is saved just before it.
  if (i.reconciledAt !== undefined && resolved)
    lines.push('🧹 Resolved (reconciled: Alertmanager no longer reports these alerts)');
  if (i.ack) lines.push(`👀 Acknowledged by ${actorText(i.ack.by)} at ${slackDate(i.ack.at)}`);
  if (i.silence && i.silence.endsAt > now) {
    lines.push(
      `🔕 Silenced by ${actorText(i.silence.by)} until ${slackDate(i.silence.endsAt)} (silence \`${escapeText(i.silence.id)}\`)`,
    );
  } else if (i.silence) {
    lines.push(`🔔 Silence \`${escapeText(i.silence.id)}\` by ${actorText(i.silence.by)} has ended`);
  } else if (i.unsilenced) {
    lines.push(
      `🔔 Silence \`${escapeText(i.unsilenced.id)}\` expired by ${actorText(i.unsilenced.by)} at ${slackDate(i.unsilenced.at)}`,
    );
  }
  return lines.length > 0 ? [context(...lines)] : [];
}

const button = (actionId: string, text: string, extra: Record<string, unknown>): Block => ({
  type: 'button',
  action_id: actionId,
  text: { type: 'plain_text', text, emoji: true },
  ...extra,
});

/**
 * The actions block: Ack and Silence while firing, Unsilence while silenced, and links to the
 * runbook and Alertmanager. One block of at most 5 elements (Slack allows 25).
 */
export function controlsBlock(
  state: EpisodeState,
  controls: Controls,
  links: { runbook?: string; alertmanager?: string },
  now: number,
): Block | undefined {
  const i = controls.interaction ?? undefined;
  const firing = state.status === 'firing';
  const silenced = i?.silence !== undefined && i.silence.endsAt > now;
  const elements: Block[] = [];
  if (firing && !i?.ack)
    elements.push(button(ACTION_IDS.ack, '👀 Ack', { value: controls.threadId, style: 'primary' }));
  if (firing && !silenced) {
    elements.push({
      type: 'static_select',
      action_id: ACTION_IDS.silence,
      placeholder: { type: 'plain_text', text: '🔕 Silence…', emoji: true },
      options: SILENCE_CHOICES.map((c) => ({
        text: { type: 'plain_text', text: `Silence for ${c.label}` },
        value: silenceOptionValue(controls.threadId, c.hours),
      })),
    });
  }
  if (silenced) elements.push(button(ACTION_IDS.unsilence, '🔔 Unsilence', { value: controls.threadId }));
  const url = (u: string | undefined) => (u && isHttpUrl(u) && u.length <= MAX_URL ? u : undefined);
  const runbook = url(links.runbook);
  if (runbook) elements.push(button(ACTION_IDS.runbook, '📖 Runbook', { url: runbook }));
  const am = url(links.alertmanager);
  if (am) elements.push(button(ACTION_IDS.alertmanager, '🔔 Alertmanager', { url: am }));
  return elements.length > 0 ? { type: 'actions', block_id: BLOCK_ID, elements } : undefined;
}
