import type { Clock } from '../clock.js';
import type { DigestState } from '../core/storm.js';
import type { EpisodeState } from '../core/types.js';
import type { RetryPolicy } from '../retry/policy.js';
import type { NoteState, ThreadRecord, ThreadStore } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { SlackClient, SlackMessage } from './types.js';

/** How one kind of thread (alert episode, deploy, note) looks in Slack. Rendering happens at send time. */
export interface ThreadRenderer<S = unknown> {
  /** What the parent needs beyond the thread (a digest's table rows), loaded before each render. */
  load?(thread: ThreadRecord<S>): Promise<unknown>;
  parent(
    thread: ThreadRecord<S>,
    ctx: { now: number; previousPermalink?: string; data?: unknown },
  ): SlackMessage;
  reply(
    thread: ThreadRecord<S>,
    payload: unknown,
    ctx: { now: number },
  ): SlackMessage & { broadcast?: boolean };
}

export interface Renderers {
  alert?: ThreadRenderer<EpisodeState>;
  deploy?: ThreadRenderer;
  note?: ThreadRenderer<NoteState>;
  /** Storm digests (slack/render/storm-digest.ts). */
  digest?: ThreadRenderer<DigestState>;
}

export interface DeliveryLimits {
  /** chat.postMessage per channel (Slack: ~1/s, short bursts tolerated). */
  postsPerSecond: number;
  postBurst: number;
  /** chat.update per channel (Tier 3: ~50/min). */
  updatesPerMinute: number;
  updateBurst: number;
  /** Calls in flight at once across all channels. */
  maxInflight: number;
}

export const defaultLimits: DeliveryLimits = {
  postsPerSecond: 1,
  postBurst: 2,
  updatesPerMinute: 50,
  updateBurst: 3,
  maxInflight: 8,
};

export interface ThreadEngineDeps {
  store: ThreadStore;
  client: SlackClient;
  renderers: Renderers;
  clock: Clock;
  policy: RetryPolicy;
  limits?: Partial<DeliveryLimits>;
  metrics?: Metrics;
  logger?: Logger;
  /** How often to look for work when nothing woke us (ms). */
  idlePollMs?: number;
  /** Wait before looking up a post whose outcome is unknown (default 10 s; use the client timeout). */
  uncertainGraceMs?: number;
  /**
   * At start, only rows claimed longer ago than this are taken back (another process sharing the
   * store may still be sending them); default 0: this engine is the only one for its kinds.
   */
  recoverLeaseMs?: number;
  /** Wait after a Slack refusal that a person must fix (token, scope, channel) before trying again. */
  blockedRetryMs?: number;
  /** Where a thread goes when its channel is archived or gone (the configured default channel). */
  fallbackChannel?: string;
}
