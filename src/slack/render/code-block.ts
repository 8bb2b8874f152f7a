import { escapeText } from './escape.js';

/**
 * A mrkdwn code block for text meant to be copied and run as printed (a rollback command). Slack
 * has no escape for backticks: a run of three inside would close the block, so it becomes a
 * lookalike; the fences stand on their own lines, so a backtick at either end of the text stays
 * in the block instead of merging with a fence (```cmd```` closes one backtick early). `& < >`
 * are escaped like any user text.
 */
export function codeBlock(plain: string): string {
  return `\`\`\`\n${escapeText(plain).replace(/```/g, 'ʼʼʼ')}\n\`\`\``;
}
