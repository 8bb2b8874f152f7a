import {
  durationMs,
  episodeCounts,
  episodeSeverity,
  episodeTitle,
  firstFiredAt,
} from '../../core/summary.js';
import type { AlertMemory, EpisodeState } from '../../core/types.js';
import type { ThreadInteraction } from '../../store/types.js';
import type { Block, SlackMessage } from '../types.js';
import { controlsBlock, interactionLines } from './alert-controls.js';
import { alertLines, alertText } from './alert-lines.js';
import { escapeText, isHttpUrl, link } from './escape.js';
import { compact, context, formatDuration, mrkdwn, packLines, plural, section, slackDate } from './format.js';
import { fitMessage } from './limits.js';
import { styleOf } from './style.js';

export interface ParentContext {
  now: number;
  /** Permalink of the thread this episode follows (the group fired again after it resolved). */
  previousPermalink?: string;
  /** Alertmanager's base URL (its externalURL unless configured otherwise). */
  alertmanagerUrl?: string;
  /** Ack / Silence / Unsilence and link buttons for this thread (set when Slack interactivity is on). */
  buttonsFor?: string;
  /** What people did from Slack, and the reconciler's close. */
  interaction?: ThreadInteraction | null;
}

/** Alerts listed in the parent; the rest are counted ("+N more") and told in the replies. */
export const PARENT_ALERT_LINES = 15;
const GROUP_LABEL_FIELDS = 5;
const DESCRIPTION_CHARS = 1_000;
const MAX_LINKS = 3;

/**
 * The parent message of an alert thread = the episode's live state, edited as it changes: status,
 * severity colour and emoji, counts, first-fired time and duration, the FIRST firing values of each
 * alert (firstAnnotations, so later edits to annotations do not rewrite history), runbook, source,
 * Alertmanager and previous-thread links. Every user-supplied string is escaped.
 */
export function renderAlertParent(state: EpisodeState, ctx: ParentContext): SlackMessage {
  const counts = episodeCounts(state);
  const severity = episodeSeverity(state);
  const resolved = state.status === 'resolved';
  const style = styleOf(state.status, severity);
  const status = resolved ? 'RESOLVED' : 'FIRING';
  const title = episodeTitle(state);
  const duration = formatDuration(durationMs(state, ctx.now));
  const notShown = state.truncatedAlerts > 0 ? ` (+${state.truncatedAlerts} not shown)` : '';
  const countText = `${counts.firing} firing · ${counts.resolved} resolved${notShown}`;

  const alerts = ordered(Object.values(state.alerts));
  const details: Block[] = [
    {
      type: 'section',
      fields: [
        mrkdwn(
          `*Status*\n${style.emoji} ${resolved ? `Resolved after ${duration}` : `Firing for ${duration}`}`,
        ),
        mrkdwn(`*Severity*\n${escapeText(severity)}`),
        mrkdwn(`*Alerts*\n${countText}`),
        mrkdwn(`*First fired*\n${slackDate(firstFiredAt(state))}`),
        ...groupLabelFields(state),
      ],
    },
  ];
  if (ctx.previousPermalink)
    details.push(context(`↩️ Fired again — ${link(ctx.previousPermalink, 'previous thread')}`));
  if (state.reopenCount > 0) {
    details.push(context(`♻️ Reopened ${plural(state.reopenCount, 'time')} within the reopen window`));
  }
  const description = sharedDescription(alerts);
  if (description) details.push(section(`>${compact(description, DESCRIPTION_CHARS)}`));
  const firstValues = alerts.map((a) => ({
    status: a.status,
    labels: a.labels,
    annotations: a.firstAnnotations,
  }));
  details.push(...packLines(alertLines(firstValues, state.commonLabels, PARENT_ALERT_LINES)));
  if (state.truncatedAlerts > 0) {
    details.push(
      context(`+${plural(state.truncatedAlerts, 'more alert')} not shown (Alertmanager truncated the group)`),
    );
  }
  const buttons = ctx.buttonsFor !== undefined;
  // With buttons, the first runbook and Alertmanager are buttons; the link line keeps the rest.
  const links = linkLine(state, alerts, ctx.alertmanagerUrl, buttons);
  if (links) details.push(context(links));
  const controls = buttons
    ? controlsBlock(
        state,
        { threadId: ctx.buttonsFor as string, interaction: ctx.interaction },
        {
          runbook: runbooksOf(state, alerts)[0],
          alertmanager: alertmanagerUrlOf(state, ctx.alertmanagerUrl),
        },
        ctx.now,
      )
    : undefined;

  const fallback = `${style.emoji} ${status} [${severity}] ${title} — ${counts.firing} firing, ${counts.resolved} resolved`;
  return fitMessage({
    text: escapeText(fallback),
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: `${style.emoji} ${status}: ${escapeText(title)}`, emoji: true },
      },
      ...interactionLines(ctx.interaction, ctx.now, resolved),
      ...(controls ? [controls] : []),
    ],
    attachments: [{ color: style.color, fallback: escapeText(fallback), blocks: details }],
  });
}

/** Firing first (what needs attention), then resolved; each in first-seen order. */
function ordered(alerts: AlertMemory[]): AlertMemory[] {
  return [...alerts.filter((a) => a.status === 'firing'), ...alerts.filter((a) => a.status === 'resolved')];
}

/** The group's own labels (original feature 10's Environment/Service/Cluster fields), minus the title's. */
function groupLabelFields(state: EpisodeState): Array<Record<string, unknown>> {
  return Object.entries(state.groupLabels)
    .filter(([k]) => k !== 'alertname' && k !== 'severity')
    .slice(0, GROUP_LABEL_FIELDS)
    .map(([k, v]) => mrkdwn(`*${escapeText(k)}*\n${escapeText(v)}`));
}

/** One description for the whole group, when its alerts agree on the first one they fired with. */
function sharedDescription(alerts: AlertMemory[]): string | undefined {
  const descriptions = new Set(alerts.map((a) => a.firstAnnotations.description).filter((d) => d));
  if (descriptions.size !== 1) return undefined;
  const [d] = descriptions;
  return alerts.every((a) => alertText(a.firstAnnotations) === d) ? undefined : d;
}

function linkLine(
  state: EpisodeState,
  alerts: AlertMemory[],
  alertmanagerUrl: string | undefined,
  buttons: boolean,
): string {
  const parts: string[] = [];
  runbooksOf(state, alerts).forEach((url, i) => {
    if (!buttons || i > 0) parts.push(`📖 ${link(url, i === 0 ? 'Runbook' : `Runbook ${i + 1}`)}`);
  });
  distinct(alerts.map((a) => a.generatorURL)).forEach((url, i) =>
    parts.push(`📈 ${link(url, i === 0 ? 'Source' : `Source ${i + 1}`)}`),
  );
  const am = alertmanagerUrlOf(state, alertmanagerUrl);
  if (am && !buttons) parts.push(`🔔 ${link(am, 'Alertmanager')}`);
  return parts.join(' · ');
}

function runbooksOf(state: EpisodeState, alerts: AlertMemory[]): string[] {
  return distinct([
    state.commonAnnotations.runbook_url,
    ...alerts.map((a) => a.firstAnnotations.runbook_url),
  ]);
}

function alertmanagerUrlOf(state: EpisodeState, configured: string | undefined): string | undefined {
  const am = configured || state.externalURL;
  return isHttpUrl(am) ? alertmanagerLink(am, state.receiver) : undefined;
}

/** Alertmanager's own templates link to `{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}`. */
function alertmanagerLink(base: string, receiver: string): string {
  return `${base.replace(/\/+$/, '')}/#/alerts?receiver=${encodeURIComponent(receiver)}`;
}

/** Distinct http(s) URLs in order, at most MAX_LINKS: a long list of links helps nobody. */
function distinct(urls: Array<string | undefined>): string[] {
  return [...new Set(urls.filter((u): u is string => !!u && isHttpUrl(u)))].slice(0, MAX_LINKS);
}
