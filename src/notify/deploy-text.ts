import { quoteArg as shellQuote } from '../deploy/drivers/shell-quote.js';
import type { DeployStatus } from '../deploy/types.js';
import { parseSlackBy } from '../slack/actor-by.js';
import { escapeText } from '../slack/render/escape.js';
import type { TrafficShare } from './deploy-card.js';
import type { StepPosition } from './deploy-reply.js';

/** Small mrkdwn pieces shared by the deploy card and the deploy replies. Pure; output is escaped. */

export const STATUS_LOOK: Record<DeployStatus, { emoji: string; label: string }> = {
  running: { emoji: ':arrows_counterclockwise:', label: 'running' },
  paused: { emoji: ':double_vertical_bar:', label: 'paused' },
  'waiting-approval': { emoji: ':raised_hand:', label: 'waiting for approval' },
  succeeded: { emoji: ':white_check_mark:', label: 'succeeded' },
  failed: { emoji: ':x:', label: 'failed' },
  'rolling-back': { emoji: ':rewind:', label: 'rolling back' },
  'rolled-back': { emoji: ':leftwards_arrow_with_hook:', label: 'rolled back' },
  aborted: { emoji: ':octagonal_sign:', label: 'aborted' },
};

/** Plain text for mrkdwn: `& < >` escaped, so no string from a config or a person can mention anyone. */
export const t = escapeText;

/**
 * Who acted: a Slack presser (`slack:U…:name`, the ID verified by the request signature) as a
 * mention; anyone else as text.
 */
export function who(by: string): string {
  const actor = parseSlackBy(by);
  return actor ? `<@${actor.id}>` : t(by);
}

/** Inline code: backticks cannot be escaped in Slack, so a lookalike keeps the span intact. */
export function code(s: string): string {
  return `\`${t(s).replace(/`/g, 'ʼ')}\``;
}

export function version(v: string | null): string {
  return v === null ? '_nothing_' : code(v);
}

export function position(at: StepPosition | undefined): string {
  return at ? `${at.number}/${at.total} ` : '';
}

/** "`v1` 90 % · `v2` 10 %" */
export function trafficText(traffic: readonly TrafficShare[]): string {
  if (traffic.length === 0) return 'no instance in nginx';
  return traffic.map((s) => `${code(s.version)} ${s.percent} %`).join(' · ');
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** `threader <verb> ID --config …` as a user runs it. */
export function command(verb: string, id: string, config?: string): string {
  return `threader ${verb} ${id}${config ? ` --config ${shellQuote(config)}` : ''}`;
}
