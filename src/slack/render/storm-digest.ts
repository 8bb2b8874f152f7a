import type { DigestEntry, DigestReply, DigestState } from '../../core/storm.js';
import type { Block, SlackMessage } from '../types.js';
import { alertLines } from './alert-lines.js';
import { replyHeadline, REPLY_ALERT_LINES } from './alert-reply.js';
import { escapeText } from './escape.js';
import { context, formatDuration, packLines, plural, section, slackDate } from './format.js';
import { fitMessage } from './limits.js';
import { COLORS, SEVERITY_STYLE } from './style.js';
import { SEVERITIES, type Severity } from '../../core/summary.js';

/** Rows of the table; the rest are counted. ~60 chars a row keeps the table under Slack's block text limit. */
export const DIGEST_TABLE_ROWS = 120;
const TITLE_CHARS = 60;
/** Section text limit (3,000) less the code fences. */
const SECTION_CHARS = 2_990;

export interface DigestContext {
  now: number;
  /** Table rows (store.digestEntries), loaded by the engine before rendering. */
  entries: DigestEntry[];
}

/**
 * The storm digest parent: one message for every group a storm collected, edited in place (the
 * engine coalesces the edits, so a storm costs at most Slack's Tier 3 edit rate). The table says
 * group, severity, firing count and since when; details of each group are replies in the thread.
 */
export function renderDigestParent(state: DigestState, ctx: DigestContext): SlackMessage {
  const entries = ordered(ctx.entries);
  const firing = entries.filter((e) => e.status === 'firing').length;
  const ended = state.endedAt !== undefined;
  const budget = `more than ${plural(state.maxNewThreads, 'new alert thread')} within ${formatDuration(state.windowMs)}`;
  const headline = ended
    ? `✅ Storm over in <#${state.channel}>: ${plural(entries.length, 'group')} collected`
    : `🌩️ Storm in <#${state.channel}>: ${plural(entries.length, 'group')} collected here`;
  const status = ended
    ? `Storm ended ${slackDate(state.endedAt as number)} after ${formatDuration((state.endedAt as number) - state.startedAt)}; new groups get their own threads again.`
    : `Storm mode since ${slackDate(state.startedAt)}: ${budget}, so new groups are collected here. Details of each group are in this thread.`;
  const blocks: Block[] = [
    section(`*${headline}* — ${firing} firing · ${entries.length - firing} resolved`),
    context(status),
    ...table(entries),
  ];
  const text = `${ended ? 'Storm over' : 'Storm digest'}: ${plural(entries.length, 'group')} collected in ${state.channel}, ${firing} firing`;
  return fitMessage({
    text,
    attachments: [{ color: ended || firing === 0 ? COLORS.good : COLORS.danger, fallback: text, blocks }],
  });
}

/** Firing first, most severe first, then by when they started. */
function ordered(entries: DigestEntry[]): DigestEntry[] {
  const rank = (s: string) => {
    const i = SEVERITIES.indexOf(s as Severity);
    return i < 0 ? SEVERITIES.length : i;
  };
  return [...entries].sort(
    (a, b) =>
      (a.status === b.status ? 0 : a.status === 'firing' ? -1 : 1) ||
      rank(a.severity) - rank(b.severity) ||
      a.since - b.since,
  );
}

/** A monospace table in code blocks, one section per ~3,000 chars (packLines). */
function table(entries: DigestEntry[]): Block[] {
  if (entries.length === 0) return [context('_No group collected yet._')];
  const shown = entries.slice(0, DIGEST_TABLE_ROWS);
  const rows = shown.map(
    (e) =>
      `${e.status === 'firing' ? '🔥' : '✅'} ${pad(e.severity, 8)} ${String(e.firing).padStart(4)}  ${hhmm(e.since)}  ${codeSafe(e.title)}`,
  );
  const header = `   ${pad('severity', 8)} ${'firing'.padStart(4)} since  group`;
  const blocks: Block[] = [];
  let chunk = header;
  for (const row of rows) {
    if (chunk.length + row.length + 1 > SECTION_CHARS) {
      blocks.push(section('```' + chunk + '```'));
      chunk = row;
    } else chunk += `\n${row}`;
  }
  blocks.push(section('```' + chunk + '```'));
  const more = entries.length - shown.length;
  if (more > 0) blocks.push(context(`_+${plural(more, 'more group')}: see the thread_`));
  return blocks;
}

const pad = (s: string, n: number) => escapeText(s).slice(0, n).padEnd(n);

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** Escaped, one line, short, and unable to end the code block early. */
function codeSafe(title: string): string {
  const t = title.replace(/\s+/g, ' ').replace(/`/g, 'ˋ');
  return escapeText(t.length > TITLE_CHARS ? `${t.slice(0, TITLE_CHARS - 1)}…` : t);
}

/** A reply in the digest thread: the group's name first, then what changed, like an alert reply. */
export function renderDigestReply(payload: DigestReply, _ctx: { now: number }): SlackMessage {
  const m = payload.member;
  const style = SEVERITY_STYLE[m.severity as Severity] ?? SEVERITY_STYLE.unknown;
  const title = `${style.emoji} [${m.severity}] ${m.title}`;
  const headline = replyHeadline(payload.change, 'alert');
  const alerts = 'alerts' in payload.change ? payload.change.alerts : [];
  const lines = alertLines(alerts, m.commonLabels, REPLY_ALERT_LINES);
  return fitMessage({
    text: escapeText(`${headline} — ${m.title}`),
    blocks: packLines([`*${escapeText(title)}*`, escapeText(headline) + (lines.length ? ':' : ''), ...lines]),
  });
}
