/**
 * conversations.history and conversations.replies (protocol: docs.slack.dev/reference/methods/
 * conversations.history, conversations.replies). History is newest first and holds only top-level
 * messages and broadcast replies; replies lists the parent then its replies oldest first.
 * Metadata is returned only with include_all_metadata=true.
 */
import { type Args, bool, int, str } from '../args.js';
import { apiMessage } from '../render.js';
import type { Channel, StoredMessage } from '../store.js';
import { parseTs } from '../ts-clock.js';
import {
  type MethodContext,
  type MethodResult,
  fail,
  invalidArgument,
  liveReplies,
  succeed,
} from './context.js';

interface Window {
  oldest: number;
  latest: number;
  inclusive: boolean;
  includeMetadata: boolean;
  limit: number;
}

/** Cursors look like Slack's: base64 of "next_ts:<ts>", naming the first message of the next page. */
export function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts}`).toString('base64');
}

export function decodeCursor(cursor: string): string | undefined {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  const match = /^next_ts:(\d+\.\d{6})$/.exec(decoded);
  return match ? match[1] : undefined;
}

function readWindow(args: Args, defaultLimit: number, maxLimit: number): Window | MethodResult {
  const limit = int(args, 'limit');
  if (!limit.ok) return invalidArgument('limit', 'must be an integer');
  const inclusive = bool(args, 'inclusive');
  if (!inclusive.ok) return invalidArgument('inclusive', 'must be a boolean');
  const metadata = bool(args, 'include_all_metadata');
  if (!metadata.ok) return invalidArgument('include_all_metadata', 'must be a boolean');
  const bounds: Record<'oldest' | 'latest', number> = { oldest: 0, latest: Number.POSITIVE_INFINITY };
  for (const name of ['oldest', 'latest'] as const) {
    const raw = str(args, name);
    if (raw === undefined || raw === '') continue;
    const micros = parseTs(raw);
    if (micros === undefined) return invalidArgument(name, 'must be a timestamp');
    bounds[name] = micros;
  }
  const requested = limit.value ?? 0;
  return {
    ...bounds,
    inclusive: inclusive.value ?? false,
    includeMetadata: metadata.value ?? false,
    limit: requested <= 0 ? defaultLimit : Math.min(requested, maxLimit),
  };
}

function inWindow(m: StoredMessage, w: Window): boolean {
  const t = parseTs(m.ts) as number;
  return w.inclusive ? t >= w.oldest && t <= w.latest : t > w.oldest && t < w.latest;
}

function page(list: StoredMessage[], cursor: string | undefined, limit: number) {
  let start = 0;
  if (cursor !== undefined) {
    start = list.findIndex((m) => m.ts === cursor);
    if (start < 0) return undefined;
  }
  const items = list.slice(start, start + limit);
  const next = list[start + limit];
  return { items, next };
}

function readCursor(args: Args): { ok: true; ts?: string } | { ok: false } {
  const raw = str(args, 'cursor');
  if (raw === undefined || raw === '') return { ok: true };
  const ts = decodeCursor(raw);
  return ts === undefined ? { ok: false } : { ok: true, ts };
}

function render(ctx: MethodContext, channel: Channel, m: StoredMessage, includeMetadata: boolean) {
  const isParent = m.threadTs === undefined || m.threadTs === m.ts;
  const replies = isParent ? liveReplies(ctx, channel, m.ts) : [];
  return apiMessage(m, ctx.identity, { includeMetadata, replies });
}

export function history(args: Args, ctx: MethodContext): MethodResult {
  const channel = ctx.store.resolve(str(args, 'channel'));
  if (!channel) return fail('channel_not_found');
  const w = readWindow(args, 100, 999);
  if ('body' in w) return w;
  const cursor = readCursor(args);
  if (!cursor.ok) return fail('invalid_cursor');
  const newestFirst = ctx.store
    .timeline(channel)
    .filter((m) => inWindow(m, w))
    .reverse();
  const p = page(newestFirst, cursor.ts, w.limit);
  if (!p) return fail('invalid_cursor');
  const body: Record<string, unknown> = {
    messages: p.items.map((m) => render(ctx, channel, m, w.includeMetadata)),
    has_more: p.next !== undefined,
    pin_count: 0,
    channel_actions_ts: null,
    channel_actions_count: 0,
  };
  if (p.next) body.response_metadata = { next_cursor: encodeCursor(p.next.ts) };
  return succeed(body);
}

export function replies(args: Args, ctx: MethodContext): MethodResult {
  const channel = ctx.store.resolve(str(args, 'channel'));
  if (!channel) return fail('channel_not_found');
  const w = readWindow(args, 1000, 1000);
  if ('body' in w) return w;
  const cursor = readCursor(args);
  if (!cursor.ok) return fail('invalid_cursor');

  // `ts` may name the parent or any reply in the thread.
  const named = channel.byTs.get(str(args, 'ts') ?? '');
  if (!named || named.orphan) return fail('thread_not_found');
  const isReply = named.threadTs !== undefined && named.threadTs !== named.ts;
  const parent = isReply ? channel.byTs.get(named.threadTs as string) : named;
  if (!parent) return fail('thread_not_found');
  const thread = liveReplies(ctx, channel, parent.ts);
  if (parent.deleted && thread.length === 0) return fail('thread_not_found');

  const all = [parent, ...thread.filter((m) => inWindow(m, w))];
  const p = page(all, cursor.ts, w.limit);
  if (!p) return fail('invalid_cursor');
  const body: Record<string, unknown> = {
    messages: p.items.map((m) => render(ctx, channel, m, w.includeMetadata)),
    has_more: p.next !== undefined,
  };
  if (p.next) body.response_metadata = { next_cursor: encodeCursor(p.next.ts) };
  return succeed(body);
}
