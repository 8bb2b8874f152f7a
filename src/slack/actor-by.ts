import type { SlackActor } from '../store/types.js';

/**
 * How a Slack user who pressed a button is recorded as a deploy's `by` (approved by, rejected by):
 * `slack:U0ALICE:alice`. The ID was verified by the request signature, so a renderer may turn it
 * into a mention; the name is only text.
 */
export function slackBy(actor: SlackActor): string {
  return `slack:${actor.id}:${actor.name}`;
}

const SLACK_BY = /^slack:([UW][A-Z0-9]{2,30}):(.*)$/s;

/** The Slack user a `by` names, when it came from a button press; undefined for CLI actors. */
export function parseSlackBy(by: string): SlackActor | undefined {
  const m = SLACK_BY.exec(by);
  return m ? { id: m[1] as string, name: (m[2] as string) || (m[1] as string) } : undefined;
}

/** `by` for a terminal or a web page: `@alice (Slack)` for a press, else as recorded. */
export function displayBy(by: string): string {
  const actor = parseSlackBy(by);
  return actor ? `@${actor.name} (Slack)` : by;
}
