import type { Block } from '../types.js';
import { escapeText } from './escape.js';
import { SLACK_LIMITS, truncateText } from './limits.js';

/** Durations read the same in threads, logs and CLI output. */
export { formatDuration } from '../../config/duration.js';

/**
 * Slack date token: every reader sees the time in their own time zone; clients that cannot render
 * it show the UTC fallback (protocol: https://api.slack.com/reference/surfaces/formatting#date-formatting).
 */
export function slackDate(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  const fallback = `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  return `<!date^${Math.floor(epochMs / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Labels that tell this alert apart from the rest of its group (those not common to all of them). */
export function identifyingLabels(
  labels: Record<string, string>,
  common: Record<string, string>,
): Array<[string, string]> {
  return Object.entries(labels).filter(([k, v]) => common[k] !== v && k !== '__name__');
}

/**
 * `name=value` pairs as inline code. A backtick inside would end the code span early, so it is
 * swapped for a look-alike (U+02CB); the rest is escaped like any user text.
 */
export function labelPairs(pairs: Array<[string, string]>): string {
  return pairs
    .map(([k, v]) => '`' + escapeText(`${k}=${v}`.replace(/`/g, 'ˋ').replace(/\s+/g, ' ')) + '`')
    .join(' ');
}

/** Escaped, single-line, and short: one alert must not crowd out the others. */
export function compact(s: string, max: number): string {
  return truncateText(escapeText(s.replace(/\s+/g, ' ').trim()), max);
}

/**
 * mrkdwn text object for text that contains user strings. `verbatim: true` stops Slack from
 * auto-linking bare URLs, channel names and "certain mentions" in it (protocol: text object
 * reference); our own `<…>` tokens are still parsed.
 */
export const mrkdwn = (text: string): Record<string, unknown> => ({ type: 'mrkdwn', text, verbatim: true });

export const section = (text: string): Block => ({ type: 'section', text: mrkdwn(text) });

export const context = (...texts: string[]): Block => ({ type: 'context', elements: texts.map(mrkdwn) });

/** Lines packed into as few sections as the 3,000-character section limit allows. */
export function packLines(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let cur = '';
  for (const line of lines) {
    const next = cur ? `${cur}\n${line}` : line;
    if (next.length > SLACK_LIMITS.sectionText && cur) {
      blocks.push(section(cur));
      cur = line;
    } else {
      cur = next;
    }
  }
  if (cur) blocks.push(section(cur));
  return blocks;
}
