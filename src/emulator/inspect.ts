/**
 * The inspection and control API under /_emulator/ (JSON in, JSON out), for tests and tools that
 * run the emulator out of process. Every route maps onto one EmulatorState call.
 */
import { z } from 'zod';
import type { EmulatorState } from './state.js';

export interface InspectResponse {
  status: number;
  body: unknown;
}

const scriptedFault = z.object({
  method: z.string().min(1),
  status: z.number().int().min(200).max(599).optional(),
  error: z.string().min(1).optional(),
  retryAfter: z.number().int().min(0).optional(),
  drop: z.boolean().optional(),
  count: z.number().int().min(1).optional(),
});

const faultsBody = z.strictObject({
  errorRate: z.number().min(0).max(1).optional(),
  errorStatus: z.number().int().min(500).max(599).optional(),
  latencyMs: z.union([z.number().min(0), z.tuple([z.number().min(0), z.number().min(0)])]).optional(),
  dropResponseRate: z.number().min(0).max(1).optional(),
  methods: z.array(z.string()).optional(),
  failNext: z.array(scriptedFault).optional(),
  clear: z.boolean().optional(),
});

const channelBody = z.object({ channel: z.string().min(1) });
const messageRef = z.object({ channel: z.string().min(1), ts: z.string().min(1) });
const editWindowBody = z.object({
  ts: z.string().min(1),
  channel: z.string().optional(),
  closed: z.boolean().optional(),
});
const humanBody = z.object({
  channel: z.string().min(1),
  text: z.string(),
  user: z.string().optional(),
  thread_ts: z.string().optional(),
  blocks: z.array(z.record(z.string(), z.unknown())).optional(),
});

type Route = (state: EmulatorState, query: URLSearchParams, body: unknown) => InspectResponse;

function parse<T>(
  schema: z.ZodType<T>,
  body: unknown,
): { ok: true; value: T } | { ok: false; res: InspectResponse } {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  return { ok: false, res: { status: 400, body: { error: 'invalid_request', problems } } };
}

function needChannel(query: URLSearchParams): string | InspectResponse {
  const channel = query.get('channel');
  return channel
    ? channel
    : { status: 400, body: { error: 'invalid_request', problems: ['channel: required'] } };
}

const ok = (body: unknown = { ok: true }): InspectResponse => ({ status: 200, body });

const GET: Record<string, Route> = {
  channels: (s) => ok(s.channels()),
  messages: (s, q) => {
    const c = needChannel(q);
    return typeof c === 'string' ? ok(s.messages(c)) : c;
  },
  threads: (s, q) => {
    const c = needChannel(q);
    return typeof c === 'string' ? ok(s.threads(c)) : c;
  },
  calls: (s, q) =>
    ok(s.calls({ method: q.get('method') ?? undefined, channel: q.get('channel') ?? undefined })),
  stats: (s) => ok(s.stats()),
  rate: (s, q) => {
    const method = q.get('method');
    if (!method) return { status: 400, body: { error: 'invalid_request', problems: ['method: required'] } };
    const windowMs = Number(q.get('windowMs') ?? 1000);
    return ok({ max: s.maxRateObserved(method, q.get('channel') ?? undefined, windowMs) });
  },
  faults: (s) => ok({ settings: s.faults.get(), pending: s.faults.pending() }),
  'rate-limits': (s) => ok(s.rateLimits()),
};

const POST: Record<string, Route> = {
  faults: (s, _q, body) => {
    const p = parse(faultsBody, body);
    if (!p.ok) return p.res;
    const { failNext, clear, ...settings } = p.value;
    if (clear) s.faults.clear();
    s.faults.set(settings);
    for (const { method, ...fault } of failNext ?? []) s.faults.failNext(method, fault);
    return ok({ settings: s.faults.get(), pending: s.faults.pending() });
  },
  reset: (s) => {
    s.reset();
    return ok();
  },
  channels: (s, _q, body) => withChannel(body, (c) => s.createChannel(c)),
  'channels/archive': (s, _q, body) => withChannel(body, (c) => s.archiveChannel(c)),
  'channels/unarchive': (s, _q, body) => withChannel(body, (c) => s.unarchiveChannel(c)),
  'channels/delete': (s, _q, body) => withChannel(body, (c) => s.deleteChannel(c)),
  messages: (s, _q, body) => {
    const p = parse(humanBody, body);
    if (!p.ok) return p.res;
    const { channel, ...human } = p.value;
    return ok({ ok: true, channel, ts: s.postAsUser(channel, human) });
  },
  'messages/delete': (s, _q, body) => {
    const p = parse(messageRef, body);
    if (!p.ok) return p.res;
    return found(s.deleteMessage(p.value.channel, p.value.ts));
  },
  'messages/edit-window': (s, _q, body) => {
    const p = parse(editWindowBody, body);
    if (!p.ok) return p.res;
    return found(s.setEditWindowClosed(p.value.ts, p.value.channel, p.value.closed ?? true));
  },
};

function withChannel(body: unknown, action: (channel: string) => void): InspectResponse {
  const p = parse(channelBody, body);
  if (!p.ok) return p.res;
  action(p.value.channel);
  return ok();
}

function found(done: boolean): InspectResponse {
  return done ? ok() : { status: 404, body: { error: 'message_not_found' } };
}

export function inspect(
  state: EmulatorState,
  httpMethod: string,
  route: string,
  query: URLSearchParams,
  body: unknown,
): InspectResponse {
  const table = httpMethod === 'GET' ? GET : httpMethod === 'POST' ? POST : undefined;
  const handler = table?.[route];
  if (!handler)
    return { status: 404, body: { error: 'no_such_route', route: `${httpMethod} /_emulator/${route}` } };
  return handler(state, query, body);
}
