import { ValidationError } from '../errors.js';
import type { SlackActor } from '../store/types.js';
import { pressOf, type Press } from './button-ids.js';
import type { PressedMessage } from './deploy-answered.js';

/** What one interactive request asks for, read from Slack's block_actions payload. */
export interface ActionRequest {
  actor: SlackActor;
  presses: Press[];
  responseUrl?: string;
  /** The message the button was on, as Slack echoes it (to replace it once a gate is answered). */
  message?: PressedMessage;
}

/**
 * Slack posts interactive requests as application/x-www-form-urlencoded with one field,
 * `payload`, holding JSON (protocol: https://api.slack.com/interactivity/handling#payloads).
 * Only `block_actions` carries button presses; other types (view_submission, shortcuts) are
 * not ours and come back with no presses.
 */
export function parseActionRequest(rawBody: string): ActionRequest {
  const raw = new URLSearchParams(rawBody).get('payload');
  if (!raw) throw new ValidationError([{ field: 'payload', problem: 'missing' }], 'Slack interaction');
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new ValidationError([{ field: 'payload', problem: 'is not JSON' }], 'Slack interaction');
  }
  if (!p || typeof p !== 'object')
    throw new ValidationError([{ field: 'payload', problem: 'is not an object' }], 'Slack interaction');
  const user = (p.user ?? {}) as Record<string, unknown>;
  if (typeof user.id !== 'string' || !user.id)
    throw new ValidationError([{ field: 'payload.user.id', problem: 'missing' }], 'Slack interaction');
  const name = [user.username, user.name].find((n): n is string => typeof n === 'string' && n !== '');
  const actor: SlackActor = { id: user.id, name: name ?? user.id };
  const responseUrl =
    typeof p.response_url === 'string' && /^https?:\/\//.test(p.response_url) ? p.response_url : undefined;
  if (p.type !== 'block_actions') return { actor, presses: [], responseUrl };
  const actions = Array.isArray(p.actions) ? (p.actions as Array<Record<string, unknown>>) : [];
  const presses = actions
    .map((a) =>
      pressOf({
        action_id: a.action_id,
        value: a.value,
        selected: (a.selected_option as { value?: unknown } | undefined)?.value,
      }),
    )
    .filter((x): x is Press => x !== undefined);
  return { actor, presses, responseUrl, ...messageOf(p.message) };
}

function messageOf(raw: unknown): { message?: PressedMessage } {
  if (!raw || typeof raw !== 'object') return {};
  const m = raw as Record<string, unknown>;
  const blocks = Array.isArray(m.blocks)
    ? (m.blocks as unknown[]).filter((b): b is Record<string, unknown> => !!b && typeof b === 'object')
    : undefined;
  return { message: { text: typeof m.text === 'string' ? m.text : '', ...(blocks ? { blocks } : {}) } };
}
