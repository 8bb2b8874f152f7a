/**
 * The thread logic: given the latest episode of a thread key and one notification part, what the
 * episode becomes and which Slack actions tell the story. Pure: time and policy come in as arguments.
 *
 * Each alert's own `status` decides, never the group's (protocol): a firing group may carry
 * resolved alerts. The one exception is a whole group reported resolved, which also resolves the
 * remembered alerts Alertmanager truncated away.
 */
import { episodeId } from './thread-key.js';
import { groupFields, remember } from './episode-memory.js';
import { durationMs, toAlertSummary } from './summary.js';
import type {
  Alert,
  AlertMemory,
  Decision,
  DecisionReason,
  EpisodeState,
  NotificationPart,
  NotificationReason,
  ThreadAction,
  ThreadPolicy,
} from './types.js';

export interface DecideContext {
  /** Channel for a new episode; an existing episode stays in the channel its thread lives in. */
  channel: string;
  now: number;
  policy: ThreadPolicy;
}

/** `prev` is the LATEST episode of `part.threadKey` (open or resolved), or null. */
export function decide(prev: EpisodeState | null, part: NotificationPart, ctx: DecideContext): Decision {
  const firing = part.notification.alerts.filter((a) => a.status === 'firing');
  if (prev === null || prev.status === 'resolved') {
    if (firing.length === 0) {
      // Nothing to thread. A re-sent resolve (retry, HA peer) of alerts we already closed is a
      // duplicate whenever it comes; one for alerts we never saw firing is ignored.
      const known = prev !== null && part.notification.alerts.every((a) => a.fingerprint in prev.alerts);
      return { reason: known ? 'duplicate' : 'ignored', next: prev, actions: [] };
    }
    if (prev !== null && isStaleCopy(prev, firing, ctx))
      return { reason: 'duplicate', next: prev, actions: [] };
    if (prev !== null && insideReopenWindow(prev, ctx)) return reopen(prev, part, ctx);
    return startEpisode(prev, part, ctx);
  }
  return continueEpisode(prev, part, ctx);
}

/**
 * An out-of-order copy of an older firing notification (a lagging HA peer, a retried send) that
 * lands after we recorded the resolve: every firing alert is one this episode saw resolve, with the
 * same startsAt, and it comes within the duplicate window. A real re-fire carries a new startsAt
 * (Prometheus restarts activeAt); the window bounds the rare re-fire that keeps its startsAt.
 */
function isStaleCopy(prev: EpisodeState, firing: Alert[], ctx: DecideContext): boolean {
  return firing.every((a) => {
    const known = prev.alerts[a.fingerprint];
    return known !== undefined && isStaleAlert(known, a, ctx);
  });
}

function isStaleAlert(known: AlertMemory, a: Alert, ctx: DecideContext): boolean {
  return (
    known.status === 'resolved' &&
    known.startsAt === a.startsAt &&
    known.resolvedAt !== undefined &&
    ctx.now - known.resolvedAt < ctx.policy.duplicateWindowMs
  );
}

function insideReopenWindow(prev: EpisodeState, ctx: DecideContext): boolean {
  const window = ctx.policy.reopenWindowMs;
  return window > 0 && prev.resolvedAt !== undefined && ctx.now - prev.resolvedAt <= window;
}

/** Our own reasons win over Alertmanager's here: it cannot know about threads and reopen windows. */
function startEpisode(prev: EpisodeState | null, part: NotificationPart, ctx: DecideContext): Decision {
  const seq = prev ? prev.seq + 1 : 1;
  const id = episodeId(part.threadKey, seq);
  const alerts: Record<string, AlertMemory> = {};
  // Resolved alerts riding along (Alertmanager re-sends them for a while) belong to the episode
  // that saw them fire, not to this one.
  for (const a of part.notification.alerts) {
    if (a.status === 'firing') alerts[a.fingerprint] = remember(undefined, a, ctx.now);
  }
  const next: EpisodeState = {
    id,
    threadKey: part.threadKey,
    seq,
    channel: ctx.channel,
    status: 'firing',
    ...groupFields(part),
    alerts,
    openedAt: ctx.now,
    lastNotifiedAt: ctx.now,
    notificationCount: 1,
    reopenCount: 0,
  };
  if (prev) next.previous = { id: prev.id, channel: prev.channel, seq: prev.seq };
  return {
    reason: prev ? 'fired again' : 'first notification',
    next,
    actions: [{ type: 'post_parent', episodeId: id }],
  };
}

/** Flapping inside the reopen window: the same thread carries on instead of a new one. */
function reopen(prev: EpisodeState, part: NotificationPart, ctx: DecideContext): Decision {
  const alerts = { ...prev.alerts };
  const fired: AlertMemory[] = [];
  for (const a of part.notification.alerts) {
    const known = alerts[a.fingerprint];
    if (a.status === 'resolved' && !known) continue;
    const memory = remember(known, a, ctx.now);
    alerts[a.fingerprint] = memory;
    if (a.status === 'firing') fired.push(memory);
  }
  const { resolvedAt: _closed, ...rest } = prev;
  const next: EpisodeState = {
    ...rest,
    ...groupFields(part),
    status: 'firing',
    alerts,
    reopenCount: prev.reopenCount + 1,
    lastNotifiedAt: ctx.now,
    notificationCount: prev.notificationCount + 1,
  };
  const change = {
    kind: 'reopened',
    alerts: fired.map(toAlertSummary),
    reopenCount: next.reopenCount,
  } as const;
  return {
    reason: 'reopened',
    next,
    actions: [
      { type: 'reply', episodeId: next.id, change },
      { type: 'update_parent', episodeId: next.id },
    ],
  };
}

function continueEpisode(prev: EpisodeState, part: NotificationPart, ctx: DecideContext): Decision {
  const n = part.notification;
  const alerts = { ...prev.alerts };
  const newlyFiring: AlertMemory[] = [];
  const newlyResolved: AlertMemory[] = [];
  for (const a of n.alerts) {
    const known = alerts[a.fingerprint];
    // A resolve for an alert this episode never saw firing tells the thread nothing.
    if (a.status === 'resolved' && !known) continue;
    // An older firing copy of an alert we already saw resolve (see isStaleCopy) changes nothing.
    if (a.status === 'firing' && known && isStaleAlert(known, a, ctx)) continue;
    const memory = remember(known, a, ctx.now);
    alerts[a.fingerprint] = memory;
    if (a.status === 'firing' && known?.status !== 'firing') newlyFiring.push(memory);
    if (a.status === 'resolved' && known?.status === 'firing') newlyResolved.push(memory);
  }
  if (part.wholeGroup && n.status === 'resolved' && !hasFiring(n.alerts)) {
    // Alerts absent from the notification otherwise keep their state: they may only be truncated.
    for (const [fingerprint, memory] of Object.entries(alerts)) {
      if (memory.status !== 'firing') continue;
      const closed: AlertMemory = { ...memory, status: 'resolved', resolvedAt: ctx.now };
      alerts[fingerprint] = closed;
      newlyResolved.push(closed);
    }
  }
  const stillFiring = Object.values(alerts).filter((m) => m.status === 'firing').length;
  const truncatedChanged = n.truncatedAlerts !== prev.truncatedAlerts;
  const base = {
    ...prev,
    ...groupFields(part),
    alerts,
    lastNotifiedAt: ctx.now,
    notificationCount: prev.notificationCount + 1,
  };

  if (newlyFiring.length === 0 && newlyResolved.length === 0 && !truncatedChanged) {
    // Not even lastNotifiedAt moves on a duplicate, so a stream of copies cannot extend the window.
    if (ctx.now - prev.lastNotifiedAt < ctx.policy.duplicateWindowMs) {
      return { reason: 'duplicate', next: prev, actions: [] };
    }
    const actions: ThreadAction[] = [];
    if (ctx.policy.replyOnRepeat) {
      actions.push({
        type: 'reply',
        episodeId: prev.id,
        change: { kind: 'still_firing', firing: stillFiring },
      });
    }
    actions.push({ type: 'update_parent', episodeId: prev.id });
    return { reason: 'repeat interval elapsed', next: base, actions };
  }

  const actions: ThreadAction[] = [];
  if (newlyFiring.length > 0) {
    actions.push({
      type: 'reply',
      episodeId: prev.id,
      change: { kind: 'firing', alerts: newlyFiring.map(toAlertSummary) },
    });
  }
  // Only a resolve we saw closes the episode, never an open state that somehow holds no firing alert.
  const allResolved = newlyResolved.length > 0 && stillFiring === 0;
  if (newlyResolved.length > 0) {
    const resolved = newlyResolved.map(toAlertSummary);
    const change = allResolved
      ? ({
          kind: 'all_resolved',
          alerts: resolved,
          durationMs: durationMs({ ...base, resolvedAt: ctx.now }, ctx.now),
        } as const)
      : ({ kind: 'resolved', alerts: resolved, stillFiring } as const);
    actions.push({ type: 'reply', episodeId: prev.id, change });
  }
  actions.push({ type: 'update_parent', episodeId: prev.id });
  const next: EpisodeState = allResolved ? { ...base, status: 'resolved', resolvedAt: ctx.now } : base;

  const consistent = consistentReasons(newlyFiring.length > 0, newlyResolved.length > 0, allResolved, {
    truncatedGrew: n.truncatedAlerts > prev.truncatedAlerts,
  });
  const given = n.notificationReason;
  const reason: DecisionReason = given && consistent.includes(given) ? given : consistent[0];
  return { reason, next, actions };
}

/**
 * The Alertmanager reasons that describe the change we saw, the one we would derive first.
 * Alertmanager's own reason is used only when it is one of them: a stale or foreign reason (a
 * "first notification" after Alertmanager lost its log, a group-wide reason on a split part)
 * must not mislabel the thread. When only the truncated count moved, the changed alerts are
 * invisible: the direction of the count is our best guess.
 */
function consistentReasons(
  fired: boolean,
  resolved: boolean,
  allResolved: boolean,
  { truncatedGrew }: { truncatedGrew: boolean },
): [NotificationReason, ...NotificationReason[]] {
  if (fired) return resolved ? ['new alerts added', 'some alerts resolved'] : ['new alerts added'];
  if (allResolved) return ['all alerts resolved'];
  if (resolved) return ['some alerts resolved'];
  return truncatedGrew
    ? ['new alerts added', 'some alerts resolved']
    : ['some alerts resolved', 'new alerts added'];
}

function hasFiring(alerts: readonly Alert[]): boolean {
  return alerts.some((a) => a.status === 'firing');
}
