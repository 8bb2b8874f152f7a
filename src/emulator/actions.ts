/**
 * Interactivity for the emulator: "click" a button or pick a select option of a stored message,
 * and the emulator sends the block_actions payload Slack would send (protocol:
 * https://api.slack.com/reference/interaction-payloads/block-actions), form-encoded and signed with
 * the signing secret, to the configured Request URL. The payload's response_url points back here
 * and acts as Slack's does (response-url.ts): a replacement edits the clicked message, as
 * `/_emulator/messages` then shows; every response is kept for inspection (GET responses).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { signSlackRequest } from '../slack/signature.js';
import type { InspectResponse } from './inspect.js';
import { applyResponse, type ResponseEffect, type ResponseTarget } from './response-url.js';
import type { EmulatorState } from './state.js';
import type { StoredMessage } from './store.js';

export interface InteractivityConfig {
  /** Where payloads go, e.g. http://127.0.0.1:9009/slack/actions. */
  requestUrl?: string;
  signingSecret?: string;
}

export interface ActionResponse {
  /** The response_url id it was posted to. */
  id: string;
  at: number;
  body: unknown;
  /** What it did to the clicked message ('refused': Slack would have answered an error). */
  effect: ResponseEffect;
}

const configBody = z.strictObject({
  requestUrl: z.url().optional(),
  signingSecret: z.string().min(1).optional(),
});
const clickBody = z.strictObject({
  channel: z.string().min(1),
  ts: z.string().min(1),
  action_id: z.string().min(1),
  /** For a select: the option value to pick. */
  value: z.string().optional(),
  user: z.object({ id: z.string().min(1), name: z.string().min(1) }).optional(),
  /** Tests of refusals: sign as of this epoch second, or with another secret. */
  timestamp: z.number().int().optional(),
  signingSecret: z.string().min(1).optional(),
});

type Block = Record<string, unknown>;
const bad = (problems: string[]): InspectResponse => ({
  status: 400,
  body: { error: 'invalid_request', problems },
});

export class Interactivity {
  private config: InteractivityConfig = {};
  readonly responses: ActionResponse[] = [];
  /** response_url id -> the message clicked. */
  private readonly targets = new Map<string, ResponseTarget>();

  configure(c: InteractivityConfig): void {
    this.config = { ...this.config, ...c };
  }

  /** Routes under /_emulator/ this class answers; undefined for the others. */
  async handle(
    state: EmulatorState,
    baseUrl: string,
    method: string,
    route: string,
    body: unknown,
  ): Promise<InspectResponse | undefined> {
    if (route === 'interactivity' && method === 'POST') {
      const p = configBody.safeParse(body ?? {});
      if (!p.success) return bad(p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
      this.configure(p.data);
      return this.view();
    }
    if (route === 'interactivity' && method === 'GET') return this.view();
    if (route === 'actions' && method === 'POST') return this.click(state, baseUrl, body);
    if (route === 'responses' && method === 'GET') return { status: 200, body: this.responses };
    const m = /^responses\/([a-z0-9]+)$/.exec(route);
    if (m && method === 'POST') {
      const id = m[1] as string;
      const target = this.targets.get(id);
      const message = target ? state.store.get(target.channel)?.byTs.get(target.ts) : undefined;
      const now = Date.now();
      const out = applyResponse(target, message, body, now);
      this.responses.push({ id, at: now, body, effect: out.effect });
      return { status: out.status, body: out.body };
    }
    return undefined;
  }

  private view(): InspectResponse {
    return {
      status: 200,
      body: {
        requestUrl: this.config.requestUrl ?? null,
        signingSecret: this.config.signingSecret ? 'set' : null,
      },
    };
  }

  private async click(state: EmulatorState, baseUrl: string, body: unknown): Promise<InspectResponse> {
    const p = clickBody.safeParse(body ?? {});
    if (!p.success) return bad(p.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
    const req = p.data;
    const secret = req.signingSecret ?? this.config.signingSecret;
    if (!this.config.requestUrl || !secret)
      return bad(['interactivity: set requestUrl and signingSecret first (POST /_emulator/interactivity)']);
    const message = state.store.get(req.channel)?.byTs.get(req.ts);
    if (!message || message.deleted) return { status: 404, body: { error: 'message_not_found' } };
    const found = findElement(message, req.action_id);
    if (!found) return { status: 404, body: { error: 'action_not_found', action_id: req.action_id } };
    const action = actionOf(found.element, found.blockId, req.value);
    if (typeof action.error === 'string') return bad([action.error]);
    const user = req.user ?? { id: 'U0HUMAN001', name: 'emulated.user' };
    const responseId = randomBytes(6).toString('hex');
    this.targets.set(responseId, {
      channel: message.channel,
      ts: message.ts,
      issuedAtMs: Date.now(),
      uses: 0,
    });
    const payload = {
      type: 'block_actions',
      user: { id: user.id, username: user.name, name: user.name, team_id: 'T0EMULATOR' },
      api_app_id: 'A0EMUAPP01',
      token: 'emulator-verification-token',
      container: {
        type: 'message',
        message_ts: message.ts,
        channel_id: message.channel,
        is_ephemeral: false,
      },
      trigger_id: `${Date.now()}.${responseId}`,
      team: { id: 'T0EMULATOR', domain: 'emulated' },
      is_enterprise_install: false,
      channel: { id: message.channel, name: message.channel },
      message: {
        type: 'message',
        ts: message.ts,
        user: message.user,
        text: message.content.text,
        blocks: message.content.blocks,
        attachments: message.content.attachments,
      },
      state: { values: {} },
      response_url: `${baseUrl}_emulator/responses/${responseId}`,
      actions: [action],
    };
    const rawBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const timestamp = String(req.timestamp ?? Math.floor(Date.now() / 1000));
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signSlackRequest(secret, timestamp, rawBody),
    };
    try {
      const res = await fetch(this.config.requestUrl, {
        method: 'POST',
        headers,
        body: rawBody,
        signal: AbortSignal.timeout(3_000),
      });
      const text = await res.text();
      // Slack shows an error to the user when the app does not answer 200 within 3 s.
      return {
        status: 200,
        body: {
          status: res.status,
          body: text,
          responseUrl: payload.response_url,
          request: { headers, body: rawBody },
        },
      };
    } catch (err) {
      return { status: 502, body: { error: 'request_url_failed', message: String(err) } };
    }
  }
}

function findElement(m: StoredMessage, actionId: string): { element: Block; blockId: string } | undefined {
  const blocks = [
    ...((m.content.blocks as Block[] | undefined) ?? []),
    ...((m.content.attachments as Block[] | undefined) ?? []).flatMap(
      (a) => (a.blocks as Block[] | undefined) ?? [],
    ),
  ];
  for (const b of blocks) {
    const elements = (b.elements as Block[] | undefined) ?? (b.accessory ? [b.accessory as Block] : []);
    for (const e of elements) {
      if (e.action_id === actionId)
        return { element: e, blockId: (b.block_id as string | undefined) ?? 'emulated' };
    }
  }
  return undefined;
}

/** The action as Slack reports it; `{error}` when the click cannot happen. */
function actionOf(e: Block, blockId: string, value: string | undefined): Block {
  const base = { action_id: e.action_id, block_id: blockId, type: e.type, action_ts: `${Date.now() / 1000}` };
  if (e.type === 'static_select') {
    const option = ((e.options as Block[] | undefined) ?? []).find((o) => o.value === value);
    if (!option) return { error: `value: the select has no option with value ${JSON.stringify(value)}` };
    return { ...base, selected_option: option, placeholder: e.placeholder };
  }
  return {
    ...base,
    text: e.text,
    ...(e.value !== undefined ? { value: e.value } : {}),
    ...(e.url ? { url: e.url } : {}),
  };
}
