/** What a Web API method handler sees, and the result it hands back to the engine. */
import type { Args } from '../args.js';
import type { Identity } from '../render.js';
import type { StoredMessage, Workspace, Channel } from '../store.js';

export interface MethodContext {
  store: Workspace;
  identity: Identity;
  /** The token that authenticated this call (never echoed anywhere). */
  token: string;
  nowMs: number;
  /** Workspace URL as auth.test reports it, e.g. `http://127.0.0.1:PORT/`. */
  workspaceUrl: string;
}

export interface MethodResult {
  /** The JSON body Slack would send with HTTP 200; always has `ok`. */
  body: Record<string, unknown>;
  /** ts of the message the call created or touched, for the call log. */
  ts?: string;
}

export type MethodHandler = (args: Args, ctx: MethodContext) => MethodResult;

export function fail(error: string, messages?: string[]): MethodResult {
  const body: Record<string, unknown> = { ok: false, error };
  if (messages && messages.length > 0) body.response_metadata = { messages };
  return { body };
}

export function succeed(body: Record<string, unknown>, ts?: string): MethodResult {
  return ts === undefined ? { body: { ok: true, ...body } } : { body: { ok: true, ...body }, ts };
}

/** Replies of a parent that are still visible. */
export function liveReplies(ctx: MethodContext, channel: Channel, parentTs: string): StoredMessage[] {
  return ctx.store.replies(channel, parentTs).filter((r) => !r.deleted);
}

/** `[ERROR] …` line Slack adds to `invalid_arguments` answers. */
export function invalidArgument(name: string, problem: string): MethodResult {
  return fail('invalid_arguments', [`[ERROR] ${problem} [json-pointer:/${name}]`]);
}
