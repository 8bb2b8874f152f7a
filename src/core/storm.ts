/**
 * Storm digest, the pure half: when a channel asks for more new threads than its budget, new groups
 * are collected into one digest thread instead of each getting a parent. Slack posts about one
 * message per second per channel (protocol), so 300 parents take five minutes to appear; one digest
 * parent edited in place shows every group within seconds. No I/O, no clock: demand and time come in.
 */
import { episodeCounts, episodeSeverity, episodeTitle, firstFiredAt } from './summary.js';
import type { EpisodeState, ReplyChange } from './types.js';

export interface StormPolicy {
  /** Off: every group gets its own thread, whatever the demand. */
  enabled: boolean;
  /** New threads a channel may open within `windowMs` before new groups go to the digest. */
  maxNewThreads: number;
  windowMs: number;
  /** Hysteresis: the storm ends once demand over the window is at or below this. */
  exitAtOrBelow: number;
}

export const DEFAULT_STORM_POLICY: StormPolicy = {
  enabled: true,
  maxNewThreads: 10,
  windowMs: 60_000,
  exitAtOrBelow: 5,
};

/** The digest of a channel as the store knows it; null when the channel is not in storm mode. */
export interface StormState {
  digestId: string;
  startedAt: number;
}

export type StormVerdict = { mode: 'normal'; change?: 'ended' } | { mode: 'storm'; change?: 'started' };

/**
 * `demand` = threads opened on the channel within the window ending `now`, counting the one being
 * decided (a group that goes to the digest counts too, or the storm would end the moment it starts).
 */
export function decideStorm(
  demand: number,
  state: StormState | null,
  now: number,
  policy: StormPolicy,
): StormVerdict {
  void now; // the window is already applied to `demand`; kept so callers pass time explicitly
  if (state === null) {
    return policy.enabled && demand > policy.maxNewThreads
      ? { mode: 'storm', change: 'started' }
      : { mode: 'normal' };
  }
  if (!policy.enabled || demand <= policy.exitAtOrBelow) return { mode: 'normal', change: 'ended' };
  return { mode: 'storm' };
}

/** What a digest thread remembers (the thread's state); its table rows live apart, one per group. */
export interface DigestState {
  channel: string;
  startedAt: number;
  endedAt?: number;
  maxNewThreads: number;
  windowMs: number;
}

/** One row of the digest table: a group collected into the digest, as of its latest notification. */
export interface DigestEntry {
  /** The member episode (thread id). */
  threadId: string;
  title: string;
  severity: string;
  firing: number;
  resolved: number;
  status: 'firing' | 'resolved';
  /** When the group first fired (epoch ms). */
  since: number;
  /** Orders updates of one member: a replayed older snapshot never overwrites a newer one. */
  version: number;
}

export function digestEntry(ep: EpisodeState): DigestEntry {
  const counts = episodeCounts(ep);
  return {
    threadId: ep.id,
    title: episodeTitle(ep),
    severity: episodeSeverity(ep),
    firing: counts.firing,
    resolved: counts.resolved,
    status: ep.status,
    since: firstFiredAt(ep),
    version: ep.notificationCount,
  };
}

/** A reply in the digest thread: one group's details, told with the group's name. */
export interface DigestReply {
  kind: 'digest_member';
  member: {
    threadId: string;
    title: string;
    severity: string;
    commonLabels: Record<string, string>;
  };
  change: ReplyChange;
}

export function digestReply(ep: EpisodeState, change: ReplyChange): DigestReply {
  return {
    kind: 'digest_member',
    member: {
      threadId: ep.id,
      title: episodeTitle(ep),
      severity: episodeSeverity(ep),
      commonLabels: ep.commonLabels,
    },
    change,
  };
}

/**
 * An episode collected into a digest carries the digest's id in its state, so every later decision
 * (decide() spreads the previous state) keeps telling its story there, until it resolves — even
 * after the storm ended. Kept out of EpisodeState on purpose: only the storm stage reads it.
 */
export type DigestMember = EpisodeState & { digest?: { id: string } };

export function digestOf(ep: EpisodeState | null): string | undefined {
  return (ep as DigestMember | null)?.digest?.id;
}
