import type { AlertmanagerClient } from '../alertmanager/types.js';
import { silenceAlertmanager } from '../alertmanager/which.js';
import type { EpisodeState } from '../core/types.js';
import { isAppError } from '../errors.js';
import type { SlackClient } from '../slack/types.js';
import type {
  InteractionChange,
  SlackActionRecord,
  ThreadInteraction,
  ThreadRecord,
} from '../store/types.js';
import { formatMatchers, silenceMatchers, tooGeneric } from './silence-matchers.js';

export interface PerformDeps {
  slack: Pick<SlackClient, 'getPermalink'>;
  /** The Alertmanager for a thread: alertmanager.url when configured, else its externalURL. */
  alertmanagerFor(baseUrl: string | undefined): AlertmanagerClient | undefined;
  /** alertmanager.url from the config, if any (it may carry credentials). */
  configuredUrl?: string;
}

/**
 * What a press led to. The change is applied to the interaction state as stored when the press
 * finishes (store.updateInteraction), never written back from this read: another replica's or
 * the reconciler's write in between must survive.
 */
export interface Outcome {
  change?: InteractionChange;
  message: string;
  error?: string;
  /** What to tell the presser when the change found the state already changed (undefined result). */
  unchanged?: (current: ThreadInteraction) => string;
  /** A silence this press created: expired again if the thread turns out to record another one. */
  created?: { id: string; alertmanager: AlertmanagerClient };
}

/** Carries out one button press on its thread. Alertmanager failures become an outcome, not a throw. */
export async function perform(
  action: SlackActionRecord,
  thread: ThreadRecord<EpisodeState>,
  now: number,
  deps: PerformDeps,
): Promise<Outcome> {
  const current = thread.interaction ?? {};
  const who = action.actor;
  try {
    switch (action.kind) {
      case 'ack':
        if (current.ack) return { message: alreadyAcked(current) };
        return {
          change: (cur) => (cur.ack ? undefined : { ...cur, ack: { by: who, at: now } }),
          message: 'Acknowledged.',
          unchanged: alreadyAcked,
        };
      case 'silence':
        return await silence(action, thread, current, now, deps);
      case 'unsilence':
        return await unsilence(action, current, now, deps);
    }
  } catch (err) {
    const code = isAppError(err) ? err.code : 'internal';
    return { message: `Could not ${action.kind}: ${(err as Error).message}`, error: code };
  }
}

const alreadyAcked = (cur: ThreadInteraction) => `Already acknowledged by ${cur.ack?.by.name ?? 'someone'}.`;
const active = (cur: ThreadInteraction, now: number) => Boolean(cur.silence && cur.silence.endsAt > now);
const alreadySilenced = (cur: ThreadInteraction) =>
  `Already silenced until ${new Date(cur.silence?.endsAt ?? 0).toISOString()} (silence ${cur.silence?.id}).`;

async function silence(
  action: SlackActionRecord,
  thread: ThreadRecord<EpisodeState>,
  current: ThreadInteraction,
  now: number,
  deps: PerformDeps,
): Promise<Outcome> {
  if (active(current, now)) return { message: alreadySilenced(current) };
  const am = deps.alertmanagerFor(deps.configuredUrl || thread.state.externalURL || undefined);
  if (!am)
    return {
      message: 'Could not silence: no Alertmanager URL (set alertmanager.url or ALERTMANAGER_URL).',
      error: 'no_alertmanager',
    };
  const matchers = silenceMatchers(thread.state);
  const tooBroad = tooGeneric(matchers);
  if (tooBroad)
    return {
      message: `Could not silence: ${tooBroad}. Silence these alerts in Alertmanager with your own matchers.`,
      error: 'no_matchers',
    };
  const shown = formatMatchers(matchers);
  const endsAt = now + (action.durationMs ?? 3_600_000);
  let where = `thread ${thread.id}`;
  if (thread.parentTs) {
    try {
      where = await deps.slack.getPermalink(thread.channel, thread.parentTs);
    } catch {
      // The thread id still finds the thread through the threader's API; a link is a convenience.
    }
  }
  const id = await am.createSilence({
    matchers,
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    createdBy: `${action.actor.name} (Slack ${action.actor.id})`,
    comment: `Silenced from the Slack thread ${where}`,
  });
  const record = { id, by: action.actor, at: now, endsAt, alertmanagerUrl: am.url, matchers: shown };
  return {
    change: (cur) => {
      if (active(cur, now)) return undefined;
      const { unsilenced: _previous, ...rest } = cur;
      return { ...rest, silence: record };
    },
    message: `Silenced until ${new Date(endsAt).toISOString()} (silence ${id}: ${shown}).`,
    unchanged: alreadySilenced,
    created: { id, alertmanager: am },
  };
}

async function unsilence(
  action: SlackActionRecord,
  current: ThreadInteraction,
  now: number,
  deps: PerformDeps,
): Promise<Outcome> {
  const s = current.silence;
  if (!s) return { message: 'This thread has no silence to expire.' };
  // The record keeps no credentials: the configured URL supplies them when it is that Alertmanager.
  const am = deps.alertmanagerFor(silenceAlertmanager(s.alertmanagerUrl, deps.configuredUrl));
  if (!am) return { message: 'Could not unsilence: no Alertmanager URL.', error: 'no_alertmanager' };
  // An ended silence needs no expiring; Alertmanager would refuse it anyway.
  if (s.endsAt > now) await am.expireSilence(s.id);
  return {
    change: (cur) => {
      if (cur.silence?.id !== s.id) return undefined;
      const { silence: _gone, ...rest } = cur;
      return { ...rest, unsilenced: { id: s.id, by: action.actor, at: now } };
    },
    message: `Silence ${s.id} expired.`,
    unchanged: () => `Silence ${s.id} expired.`,
  };
}
