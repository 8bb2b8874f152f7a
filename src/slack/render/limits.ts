import type { Block, SlackMessage } from '../types.js';

/**
 * Slack's message size limits (protocol). Sources:
 * - 50 blocks per message: https://docs.slack.dev/reference/block-kit/blocks ("up to 50 blocks in each message")
 * - section `text` 3,000 chars; `fields` at most 10 items of 2,000 chars each:
 *   https://api.slack.com/reference/block-kit/blocks#section
 * - header plain_text 150 chars: https://docs.slack.dev/reference/block-kit/blocks/header-block
 * - mrkdwn text object 3,000 chars (context elements too), context at most 10 elements:
 *   https://api.slack.com/reference/block-kit/composition-objects#text
 * - message `text` 40,000 chars, beyond which Slack truncates on its own:
 *   https://api.slack.com/changelog/2018-04-truncating-really-long-messages
 * Slack rejects the whole message (`invalid_blocks`, `msg_too_long`) rather than trimming blocks, and a
 * rejected alert message is a lost alert (weakness 15 of the original), so every message passes fitMessage.
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3_000,
  sectionFields: 10,
  fieldText: 2_000,
  headerText: 150,
  contextElements: 10,
  contextElementText: 3_000,
  messageText: 40_000,
  /**
   * All block text of one message together. Not in Slack's docs, but Slack refuses messages whose
   * blocks carry more than about 13,000 characters with `msg_blocks_too_long` (seen by Bolt users,
   * slackapi/bolt-js#2509); we keep a margin under it.
   */
  blocksText: 12_000,
} as const;

export const TRUNCATION_MARK = '…truncated';

/**
 * Cuts `s` to at most `max` UTF-16 units, ending with the visible mark. Never splits a surrogate
 * pair, an HTML entity produced by escapeText (`&amp;`), or one of our own `<…>` tokens (link,
 * date): half of one would garble the rest of the text. Every raw `<` in rendered text is ours,
 * because user text has been escaped.
 */
export function truncateText(s: string, max: number): string {
  if (s.length <= max) return s;
  let head = s.slice(0, Math.max(0, max - TRUNCATION_MARK.length));
  const last = head.charCodeAt(head.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
  head = head.replace(/&[#a-zA-Z0-9]*$/, '');
  const open = head.lastIndexOf('<');
  if (open > head.lastIndexOf('>')) head = head.slice(0, open);
  return head + TRUNCATION_MARK;
}

type TextObject = { type?: string; text?: unknown };

function fitTextObject(obj: unknown, max: number): unknown {
  if (!obj || typeof obj !== 'object') return obj;
  const t = obj as TextObject;
  return typeof t.text === 'string' ? { ...t, text: truncateText(t.text, max) } : obj;
}

function fitFields(fields: unknown[]): unknown[] {
  const fitted = fields.map((f) => fitTextObject(f, SLACK_LIMITS.fieldText));
  if (fitted.length <= SLACK_LIMITS.sectionFields) return fitted;
  const kept = fitted.slice(0, SLACK_LIMITS.sectionFields - 1);
  const cut = fitted.length - kept.length;
  return [...kept, { type: 'mrkdwn', text: `${TRUNCATION_MARK}: ${cut} more fields` }];
}

function fitContext(elements: unknown[]): unknown[] {
  const fitted = elements.map((e) => fitTextObject(e, SLACK_LIMITS.contextElementText));
  if (fitted.length <= SLACK_LIMITS.contextElements) return fitted;
  const kept = fitted.slice(0, SLACK_LIMITS.contextElements - 1);
  return [...kept, { type: 'mrkdwn', text: `${TRUNCATION_MARK}: ${fitted.length - kept.length} more` }];
}

/** One block within its own limits; block types we do not render are passed through untouched. */
export function fitBlock(block: Block): Block {
  switch (block.type) {
    case 'header':
      return { ...block, text: fitTextObject(block.text, SLACK_LIMITS.headerText) };
    case 'section': {
      const out: Block = { ...block };
      if (block.text !== undefined) out.text = fitTextObject(block.text, SLACK_LIMITS.sectionText);
      if (Array.isArray(block.fields)) out.fields = fitFields(block.fields);
      return out;
    }
    case 'context':
      return Array.isArray(block.elements) ? { ...block, elements: fitContext(block.elements) } : block;
    default:
      return block;
  }
}

/** The context block that replaces blocks past the limit, so readers see that something is missing. */
/** Characters of text a block carries (every `text` string in it). */
function blockTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + blockTextLength(v), 0);
  if (value === null || typeof value !== 'object') return 0;
  let n = 0;
  for (const [k, v] of Object.entries(value))
    n += k === 'text' && typeof v === 'string' ? v.length : blockTextLength(v);
  return n;
}

export function cutNotice(cut: number): Block {
  return {
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `${TRUNCATION_MARK}: ${cut} more block${cut === 1 ? '' : 's'} not shown` },
    ],
  };
}

/**
 * Returns a copy of `msg` (other fields such as `channel` kept) that Slack accepts: every text within its limit with a visible
 * "…truncated", and at most 50 blocks. Blocks in attachments count towards the same 50 (Slack's
 * docs do not say whether attachment blocks have their own budget, so we take the strict reading);
 * top-level blocks are kept first, and the cut is announced where it happened.
 */
export function fitMessage<T extends SlackMessage>(msg: T): T {
  const containers: Block[][] = [msg.blocks ?? [], ...(msg.attachments ?? []).map((a) => a.blocks ?? [])];
  const all = containers.flat().map(fitBlock);
  const textOf = all.map(blockTextLength);
  const fits =
    all.length <= SLACK_LIMITS.blocksPerMessage &&
    textOf.reduce((n, l) => n + l, 0) <= SLACK_LIMITS.blocksText;
  // Keep a prefix of the blocks that leaves room for the notice saying how many were cut.
  const blockLimit = fits ? all.length : SLACK_LIMITS.blocksPerMessage - 1;
  const textLimit = SLACK_LIMITS.blocksText - (fits ? 0 : 200);
  let kept = 0;
  let used = 0;
  while (kept < all.length && kept < blockLimit && used + (textOf[kept] as number) <= textLimit) {
    used += textOf[kept] as number;
    kept++;
  }
  let seen = 0;
  let noticeAt = -1;
  const fitted = containers.map((blocks, i) => {
    const mine = all.slice(seen, seen + blocks.length).slice(0, Math.max(0, kept - seen));
    if (mine.length < blocks.length && noticeAt < 0) noticeAt = i;
    seen += blocks.length;
    return mine;
  });
  if (noticeAt >= 0) fitted[noticeAt]!.push(cutNotice(all.length - kept));

  const out: T = { ...msg, text: truncateText(msg.text, SLACK_LIMITS.messageText) };
  if (msg.blocks) out.blocks = fitted[0];
  if (msg.attachments) {
    out.attachments = msg.attachments.map((a, i) => {
      const att = { ...a };
      if (a.blocks) att.blocks = fitted[i + 1];
      if (a.fallback !== undefined) att.fallback = truncateText(a.fallback, SLACK_LIMITS.messageText);
      return att;
    });
  }
  return out;
}
