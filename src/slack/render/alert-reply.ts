import { episodeTitle } from '../../core/summary.js';
import type { EpisodeState, ReplyChange } from '../../core/types.js';
import type { SlackMessage } from '../types.js';
import { alertLines } from './alert-lines.js';
import { escapeText } from './escape.js';
import { formatDuration, packLines, plural } from './format.js';
import { fitMessage } from './limits.js';

export interface ReplyContext {
  now: number;
}

/** Alerts listed in one reply; more are counted ("+N more"). */
export const REPLY_ALERT_LINES = 20;

/**
 * A thread reply says what changed: new alerts firing, some resolved, all resolved, still firing, or
 * fired again within the reopen window. Alert lines show the labels that identify each alert within
 * the group (not the common ones) and its summary, all escaped.
 */
export function renderAlertReply(change: ReplyChange, state: EpisodeState, _ctx: ReplyContext): SlackMessage {
  const headline = replyHeadline(change);
  const alerts = 'alerts' in change ? change.alerts : [];
  const lines = alertLines(alerts, state.commonLabels, REPLY_ALERT_LINES);
  const title = episodeTitle(state);
  return fitMessage({
    text: escapeText(`${headline} — ${title}`),
    blocks: packLines([escapeText(headline) + (lines.length ? ':' : ''), ...lines]),
  });
}

/** The first line of a reply; the storm digest's replies say "N alerts firing", a group's own thread "N new alerts". */
export function replyHeadline(change: ReplyChange, firingNoun = 'new alert'): string {
  switch (change.kind) {
    case 'firing':
      return `🔥 ${plural(change.alerts.length, firingNoun)} firing`;
    case 'resolved':
      return `✅ ${change.alerts.length} resolved (${change.stillFiring} still firing)`;
    case 'all_resolved':
      return `✅ All resolved after ${formatDuration(change.durationMs)}`;
    case 'still_firing':
      return `⏳ Still firing (${change.firing})`;
    case 'reopened':
      return `♻️ Fired again within the reopen window (#${change.reopenCount})`;
  }
}
