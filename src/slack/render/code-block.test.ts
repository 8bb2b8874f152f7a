import { describe, expect, it } from 'vitest';
import { codeBlock } from './code-block.js';

/** What a reader copies out of the block: the text between the opening and the closing fence. */
function copied(mrkdwn: string): string | undefined {
  return /^```\n([\s\S]*)\n```$/.exec(mrkdwn)?.[1];
}

describe('codeBlock', () => {
  it.each([
    [
      'a plain command is copied as printed',
      'threader rollback --env production',
      'threader rollback --env production',
    ],
    [
      'a command ending in a backtick keeps it',
      "threader rollback --to 'v1`'",
      "threader rollback --to 'v1`'",
    ],
    ['a command starting with a backtick keeps it', '`id` || true', '`id` || true'],
    ['three backticks inside cannot close the block', 'echo ```done```', 'echo ʼʼʼdoneʼʼʼ'],
    [
      '& < > are escaped so nothing can mention anyone',
      'a && b <!channel>',
      'a &amp;&amp; b &lt;!channel&gt;',
    ],
  ])('%s', (_case, text, inside) => {
    const block = codeBlock(text);
    expect(copied(block)).toBe(inside);
    // No fence of the block touches the text: Slack cannot merge a backtick of it into a fence.
    expect(block.match(/`{3,}/g)).toEqual(['```', '```']);
  });
});
