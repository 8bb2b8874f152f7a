import type { AlertmanagerClient } from '../alertmanager/types.js';
import type { EpisodeState } from '../core/types.js';
import { isAppError } from '../errors.js';
import type { SlackClient } from '../slack/types.js';
import type { SlackActionRecord, ThreadInteraction, ThreadRecord } from '../store/types.js';
import { silenceMatchers } from './silence-matchers.js';

export interface PerformDeps {
  slack: Pick<SlackClient, 'getPermalink'>;
  /** The Alertmanager for a thread: alertmanager.url when configured, else its externalURL. */
  alertmanagerFor(baseUrl: string | undefined): AlertmanagerClient | undefined;
  /** alertmanager.url from the config, if any. */
  configuredUrl?: string;
}

/** What a press led to: the interaction to save (undefined: nothing changes) and what to tell the presser. */
export interface Outcome {
  interaction?: ThreadInteraction;
  message: string;
  error?: string;
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
        if (current.ack) return { message: `Already acknowledged by ${current.ack.by.name}.` };
        return { interaction: { ...current, ack: { by: who, at: now } }, message: 'Acknowledged.' };
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

async function silence(
  action: SlackActionRecord,
  thread: ThreadRecord<EpisodeState>,
  current: ThreadInteraction,
  now: number,
  deps: PerformDeps,
): Promise<Outcome> {
  if (current.silence && current.silence.endsAt > now)
    return { message: `Already silenced until ${new Date(current.silence.endsAt).toISOString()}.` };
  const am = deps.alertmanagerFor(deps.configuredUrl || thread.state.externalURL || undefined);
  if (!am)
    return {
      message: 'Could not silence: no Alertmanager URL (set alertmanager.url or ALERTMANAGER_URL).',
      error: 'no_alertmanager',
    };
  const matchers = silenceMatchers(thread.state);
  if (matchers.length === 0)
    return { message: 'Could not silence: the alerts share no label to match on.', error: 'no_matchers' };
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
  const { unsilenced: _previous, ...rest } = current;
  return {
    interaction: { ...rest, silence: { id, by: action.actor, at: now, endsAt, alertmanagerUrl: am.url } },
    message: `Silenced until ${new Date(endsAt).toISOString()} (silence ${id}).`,
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
  const am = deps.alertmanagerFor(s.alertmanagerUrl);
  if (!am) return { message: 'Could not unsilence: no Alertmanager URL.', error: 'no_alertmanager' };
  // An ended silence needs no expiring; Alertmanager would refuse it anyway.
  if (s.endsAt > now) await am.expireSilence(s.id);
  const { silence: _gone, ...rest } = current;
  return {
    interaction: { ...rest, unsilenced: { id: s.id, by: action.actor, at: now } },
    message: `Silence ${s.id} expired.`,
  };
}
