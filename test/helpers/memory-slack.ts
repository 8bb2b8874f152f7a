import { SlackApiError } from '../../src/errors.js';
import type {
  HistoryMessage,
  PostMessageArgs,
  SlackClient,
  UpdateMessageArgs,
} from '../../src/slack/types.js';

export interface RecordedCall {
  method: string;
  at: number;
  channel: string;
  ok: boolean;
  args: unknown;
}

/**
 * An in-memory SlackClient for unit tests under a fake clock (the HTTP emulator covers the wire).
 * Failures are scripted per call: `failNext('chat.postMessage', new SlackApiError(...))`.
 */
export class MemorySlack implements SlackClient {
  readonly calls: RecordedCall[] = [];
  readonly messages: Array<HistoryMessage & { channel: string; text: string; edits: number }> = [];
  private seq = 0;
  private readonly scripted: Array<{ method: string; error: unknown; applyFirst: boolean }> = [];

  constructor(private readonly now: () => number) {}

  /** The next call of `method` fails; with applyFirst the message is stored first (a lost response). */
  failNext(method: string, error: unknown, opts: { applyFirst?: boolean; times?: number } = {}): void {
    for (let i = 0; i < (opts.times ?? 1); i++)
      this.scripted.push({ method, error, applyFirst: opts.applyFirst ?? false });
  }

  private take(method: string) {
    const i = this.scripted.findIndex((s) => s.method === method);
    return i === -1 ? undefined : this.scripted.splice(i, 1)[0];
  }

  private record(method: string, channel: string, ok: boolean, args: unknown): void {
    this.calls.push({ method, at: this.now(), channel, ok, args });
  }

  async authTest() {
    return { team: 'memory', user: 'threader', url: 'http://memory.local/' };
  }

  async postMessage(args: PostMessageArgs) {
    const fault = this.take('chat.postMessage');
    if (fault && !fault.applyFirst) {
      this.record('chat.postMessage', args.channel, false, args);
      throw fault.error;
    }
    this.seq++;
    const ts = `${1_700_000_000 + this.seq}.000000`;
    this.messages.push({
      channel: args.channel,
      ts,
      thread_ts: args.thread_ts,
      text: args.text,
      metadata: args.metadata,
      edits: 0,
    });
    this.record('chat.postMessage', args.channel, !fault, args);
    if (fault) throw fault.error;
    return { channel: args.channel, ts };
  }

  async update(args: UpdateMessageArgs) {
    const fault = this.take('chat.update');
    this.record('chat.update', args.channel, !fault, args);
    if (fault) throw fault.error;
    const m = this.messages.find((x) => x.ts === args.ts && x.channel === args.channel);
    if (!m) throw new SlackApiError('message_not_found', 'chat.update');
    m.text = args.text;
    m.edits++;
    return { channel: args.channel, ts: args.ts };
  }

  async getPermalink(channel: string, ts: string) {
    return `http://memory.local/archives/${channel}/p${ts.replace('.', '')}`;
  }

  async history(args: { channel: string }) {
    this.record('conversations.history', args.channel, true, args);
    const messages = this.messages.filter((m) => m.channel === args.channel && !m.thread_ts).reverse();
    return { messages };
  }

  async replies(args: { channel: string; ts: string }) {
    this.record('conversations.replies', args.channel, true, args);
    const messages = this.messages.filter(
      (m) => m.channel === args.channel && (m.ts === args.ts || m.thread_ts === args.ts),
    );
    return { messages };
  }

  async addReaction() {}

  /** Gone from `messages`, as Slack shows a deleted message to nobody. */
  async deleteMessage(channel: string, ts: string) {
    const fault = this.take('chat.delete');
    this.record('chat.delete', channel, !fault, { channel, ts });
    if (fault) throw fault.error;
    const i = this.messages.findIndex((m) => m.ts === ts && m.channel === channel);
    if (i === -1) throw new SlackApiError('message_not_found', 'chat.delete');
    this.messages.splice(i, 1);
  }

  posts(channel?: string) {
    return this.calls.filter(
      (c) => c.method === 'chat.postMessage' && c.ok && (!channel || c.channel === channel),
    );
  }
}
