import { describe, expect, it } from 'vitest';
import type { Args } from './args.js';
import { hasVisibleContent, readContent } from './validate.js';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const blocks = (n: number) => Array.from({ length: n }, (_, i) => section(`block ${i}`));

describe('readContent rejects what Slack rejects', () => {
  it.each<[string, Args, string, string?]>([
    ['text over 40,000 characters is msg_too_long', { text: 'x'.repeat(40_001) }, 'msg_too_long'],
    [
      '51 blocks are invalid_blocks',
      { blocks: blocks(51) },
      'invalid_blocks',
      '[ERROR] no more than 50 items allowed [json-pointer:/blocks]',
    ],
    [
      'a section text of 3,001 characters is invalid_blocks',
      { blocks: [section('y'.repeat(3001))] },
      'invalid_blocks',
      '[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ],
    ['blocks that are not JSON are invalid_blocks_format', { blocks: '[{"type":' }, 'invalid_blocks_format'],
    [
      'blocks that are a JSON object are invalid_blocks_format',
      { blocks: '{"type":"divider"}' },
      'invalid_blocks_format',
    ],
    [
      'a block without a type is invalid_blocks',
      { blocks: [{ text: 'x' }] },
      'invalid_blocks',
      '[ERROR] missing required field: type [json-pointer:/blocks/0]',
    ],
    ['an unknown block type is invalid_blocks', { blocks: [{ type: 'carousel' }] }, 'invalid_blocks'],
    [
      'two blocks with one block_id are invalid_blocks',
      {
        blocks: [
          { type: 'divider', block_id: 'a' },
          { type: 'divider', block_id: 'a' },
        ],
      },
      'invalid_blocks',
    ],
    [
      'eleven section fields are invalid_blocks',
      { blocks: [{ type: 'section', fields: blocks(11).map((b) => b.text) }] },
      'invalid_blocks',
    ],
    [
      'a mrkdwn header is invalid_blocks',
      { blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'x' } }] },
      'invalid_blocks',
    ],
    [
      'a header over 150 characters is invalid_blocks',
      { blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] },
      'invalid_blocks',
    ],
    [
      'an oversized section inside an attachment is invalid_blocks',
      { attachments: [{ color: '#f00', blocks: [section('z'.repeat(3001))] }] },
      'invalid_blocks',
      '[ERROR] must be less than 3001 characters [json-pointer:/attachments/0/blocks/0/text/text]',
    ],
    ['attachments that are not JSON are invalid_attachments', { attachments: 'nope' }, 'invalid_attachments'],
    [
      '101 attachments are too_many_attachments',
      { attachments: Array.from({ length: 101 }, () => ({})) },
      'too_many_attachments',
    ],
    [
      'metadata that is not JSON is invalid_metadata_format',
      { metadata: '{event_type' },
      'invalid_metadata_format',
    ],
    [
      'metadata without event_type is invalid_metadata_schema',
      { metadata: { event_payload: {} } },
      'invalid_metadata_schema',
    ],
    [
      'metadata whose payload is a string is invalid_metadata_schema',
      { metadata: { event_type: 'a', event_payload: 'x' } },
      'invalid_metadata_schema',
    ],
  ])('%s', (_name, args, error, message) => {
    const result = readContent(args);
    expect(result).toMatchObject({ ok: false, error });
    if (message) expect(result.ok === false && result.messages).toEqual([message]);
  });
});

describe('readContent accepts what Slack accepts', () => {
  it.each<[string, Args]>([
    ['exactly 40,000 characters of text', { text: 'x'.repeat(40_000) }],
    ['exactly 50 blocks', { blocks: blocks(50) }],
    ['a section text of exactly 3,000 characters', { blocks: [section('y'.repeat(3000))] }],
    [
      'blocks and metadata sent as JSON strings, as form bodies carry them',
      { blocks: JSON.stringify(blocks(2)), metadata: '{"event_type":"a","event_payload":{"k":1}}' },
    ],
    [
      'a section with fields only',
      { blocks: [{ type: 'section', fields: [{ type: 'mrkdwn', text: '*a*' }] }] },
    ],
  ])('%s', (_name, args) => {
    expect(readContent(args).ok).toBe(true);
  });

  it('decodes JSON-string arguments into objects', () => {
    const result = readContent({
      blocks: JSON.stringify([section('hi')]),
      metadata: '{"event_type":"a","event_payload":{"k":1}}',
    });
    expect(result).toEqual({
      ok: true,
      content: {
        text: undefined,
        blocks: [section('hi')],
        attachments: undefined,
        metadata: { event_type: 'a', event_payload: { k: 1 } },
      },
    });
  });
});

describe('hasVisibleContent', () => {
  it.each([
    ['is false for nothing at all', {}, false],
    ['is false for empty text and empty blocks', { text: '', blocks: [] }, false],
    ['is true for text', { text: 'hi' }, true],
    ['is true for blocks without text', { blocks: [section('x')] }, true],
    ['is true for attachments without text', { attachments: [{ color: '#f00' }] }, true],
  ])('%s', (_name, content, expected) => {
    expect(hasVisibleContent(content)).toBe(expected);
  });
});
