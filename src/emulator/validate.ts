/**
 * Message content validation with Slack's error strings and limits (protocol:
 * docs.slack.dev/reference/methods/chat.postMessage, /reference/block-kit/blocks):
 * `text` ≤ 40,000 chars, ≤ 50 blocks, section text ≤ 3,000, ≤ 10 section fields of ≤ 2,000,
 * header text ≤ 150 plain_text, block_id ≤ 255 and unique, ≤ 100 attachments.
 * Block errors carry Slack's `response_metadata.messages` lines with a json-pointer.
 */
import { type Args, jsonArg, str } from './args.js';

export const LIMITS = {
  text: 40_000,
  blocks: 50,
  sectionText: 3_000,
  sectionFields: 10,
  fieldText: 2_000,
  headerText: 150,
  blockId: 255,
  attachments: 100,
  /**
   * Total text of all blocks: undocumented, but Slack answers msg_blocks_too_long past roughly
   * 13,000 characters (slackapi/bolt-js#2509); modelled so renderers must stay under it.
   */
  blocksText: 13_000,
} as const;

const BLOCK_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'table',
  'video',
]);

export type Block = Record<string, unknown>;
export interface Metadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/** What one call asked for; undefined means the argument was absent (chat.update keeps the old value). */
export interface ContentArgs {
  text?: string;
  blocks?: Block[];
  attachments?: Block[];
  metadata?: Metadata;
}

export interface Rejection {
  ok: false;
  error: string;
  messages?: string[];
}

export type ContentResult = { ok: true; content: ContentArgs } | Rejection;

function reject(error: string, ...messages: string[]): Rejection {
  return messages.length > 0 ? { ok: false, error, messages } : { ok: false, error };
}

export function readContent(args: Args): ContentResult {
  const text = str(args, 'text');
  if (text !== undefined && text.length > LIMITS.text) return reject('msg_too_long');

  const blocksArg = jsonArg(args, 'blocks');
  if (!blocksArg.ok || (blocksArg.value !== undefined && !Array.isArray(blocksArg.value))) {
    return reject('invalid_blocks_format');
  }
  const blocks = blocksArg.value as Block[] | undefined;
  if (blocks) {
    const problem = blockProblem(blocks, '/blocks');
    if (problem) return reject('invalid_blocks', problem);
  }

  const attachmentsArg = jsonArg(args, 'attachments');
  if (!attachmentsArg.ok || (attachmentsArg.value !== undefined && !Array.isArray(attachmentsArg.value))) {
    return reject('invalid_attachments');
  }
  const attachments = attachmentsArg.value as Block[] | undefined;
  if (attachments) {
    if (attachments.length > LIMITS.attachments) return reject('too_many_attachments');
    for (const [i, attachment] of attachments.entries()) {
      if (!isObject(attachment)) return reject('invalid_attachments');
      if (attachment.blocks === undefined) continue;
      if (!Array.isArray(attachment.blocks)) return reject('invalid_blocks_format');
      const problem = blockProblem(attachment.blocks as Block[], `/attachments/${i}/blocks`);
      if (problem) return reject('invalid_blocks', problem);
    }
  }

  const allBlocks = [
    ...(blocks ?? []),
    ...(attachments ?? []).flatMap((a) => (a.blocks as Block[] | undefined) ?? []),
  ];
  if (textLength(allBlocks) > LIMITS.blocksText) return reject('msg_blocks_too_long');

  const metadataArg = jsonArg(args, 'metadata');
  if (!metadataArg.ok) return reject('invalid_metadata_format');
  const metadata = metadataArg.value;
  if (metadata !== undefined && !isMetadata(metadata)) return reject('invalid_metadata_schema');

  return { ok: true, content: { text, blocks, attachments, metadata: metadata as Metadata | undefined } };
}

/** Characters in every `text` string of some blocks. */
function textLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textLength(v), 0);
  if (value === null || typeof value !== 'object') return 0;
  let n = 0;
  for (const [k, v] of Object.entries(value))
    n += k === 'text' && typeof v === 'string' ? v.length : textLength(v);
  return n;
}

/** chat.postMessage needs one of text, blocks or attachments (protocol: `no_text`). */
export function hasVisibleContent(content: ContentArgs): boolean {
  return Boolean(content.text) || (content.blocks?.length ?? 0) > 0 || (content.attachments?.length ?? 0) > 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMetadata(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value.event_type === 'string' &&
    value.event_type.length > 0 &&
    isObject(value.event_payload)
  );
}

function tooLong(limit: number, pointer: string): string {
  return `[ERROR] must be less than ${limit + 1} characters [json-pointer:${pointer}]`;
}

/** The first problem in a block list as Slack words it, or undefined when the list is valid. */
export function blockProblem(blocks: Block[], base: string): string | undefined {
  if (blocks.length > LIMITS.blocks) {
    return `[ERROR] no more than ${LIMITS.blocks} items allowed [json-pointer:${base}]`;
  }
  const ids = new Set<string>();
  for (const [i, block] of blocks.entries()) {
    const at = `${base}/${i}`;
    if (!isObject(block) || typeof block.type !== 'string') {
      return `[ERROR] missing required field: type [json-pointer:${at}]`;
    }
    if (!BLOCK_TYPES.has(block.type))
      return `[ERROR] unsupported type: ${block.type} [json-pointer:${at}/type]`;
    if (block.block_id !== undefined) {
      if (typeof block.block_id !== 'string' || block.block_id.length > LIMITS.blockId) {
        return tooLong(LIMITS.blockId, `${at}/block_id`);
      }
      if (ids.has(block.block_id)) return `[ERROR] duplicate block_id [json-pointer:${at}/block_id]`;
      ids.add(block.block_id);
    }
    const problem = block.type === 'section' ? sectionProblem(block, at) : headerProblem(block, at);
    if (problem) return problem;
  }
  return undefined;
}

function textProblem(text: unknown, limit: number, at: string, plainOnly = false): string | undefined {
  if (!isObject(text) || typeof text.text !== 'string') {
    return `[ERROR] must provide an object [json-pointer:${at}]`;
  }
  const allowed = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
  if (!allowed.includes(text.type as string)) {
    return `[ERROR] must be one of: ${allowed.join(', ')} [json-pointer:${at}/type]`;
  }
  if (text.text.length > limit) return tooLong(limit, `${at}/text`);
  return undefined;
}

function sectionProblem(block: Block, at: string): string | undefined {
  if (block.text === undefined && block.fields === undefined) {
    return `[ERROR] must provide either text or fields [json-pointer:${at}]`;
  }
  if (block.text !== undefined) {
    const problem = textProblem(block.text, LIMITS.sectionText, `${at}/text`);
    if (problem) return problem;
  }
  if (block.fields !== undefined) {
    if (!Array.isArray(block.fields)) return `[ERROR] must provide an array [json-pointer:${at}/fields]`;
    if (block.fields.length > LIMITS.sectionFields) {
      return `[ERROR] no more than ${LIMITS.sectionFields} items allowed [json-pointer:${at}/fields]`;
    }
    for (const [j, field] of block.fields.entries()) {
      const problem = textProblem(field, LIMITS.fieldText, `${at}/fields/${j}`);
      if (problem) return problem;
    }
  }
  return undefined;
}

function headerProblem(block: Block, at: string): string | undefined {
  if (block.type !== 'header') return undefined;
  return textProblem(block.text, LIMITS.headerText, `${at}/text`, true);
}
