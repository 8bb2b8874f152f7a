import type { GuardConfig } from '../config/guard.js';
import type { LoadedConfig } from '../config/load.js';
import { CHANNEL_ID, CHANNEL_ID_PROBLEM } from '../config/slack-ids.js';
import { UsageError } from '../errors.js';
import { briefingSink, type Briefing } from '../guard/briefing.js';
import { guardStatus, type GuardContext } from '../guard/guard.js';
import { parseThreadRef } from '../slack/thread-ref.js';
import { duration } from './guard.js';

/**
 * The Slack briefing of `guard watch`: replies in a given thread, or one new thread per lock in a
 * channel, through the project's thread engine (rate limits, retries, escaping). A Slack failure
 * never stops the watch: briefings stay queued in the store and go out when Slack answers.
 */
export async function openBriefing(
  full: LoadedConfig,
  config: GuardConfig,
  ctx: GuardContext,
  flags: { slackThread?: string; slackChannel?: string; briefEvery?: string },
) {
  const ref = flags.slackThread ? parseThreadRef(flags.slackThread, '--slack-thread') : undefined;
  const channel = flags.slackChannel ?? config.briefing.channel;
  if (flags.slackChannel && !CHANNEL_ID.test(flags.slackChannel)) {
    throw new UsageError(`--slack-channel: "${flags.slackChannel}" ${CHANNEL_ID_PROBLEM}`);
  }
  if (!ref && !channel) return undefined;
  const everyMs = duration('--brief-every', flags.briefEvery) ?? config.briefing.every;
  // The Slack client and the thread store load only when briefings are asked for.
  const { SlackSession } = await import('../slack/session.js');
  const session = await SlackSession.open(full);
  // One thread per lock in channel mode; the id is known before the thread exists.
  const lockNow = async () => (await guardStatus(ctx)).lock;
  const threadId = async () =>
    ref ? session.idOf(ref) : session.idOfNew(`guard:${(await lockNow())?.id ?? 'none'}`);
  let opened = false;
  const post = async (b: Briefing) => {
    if (!opened) {
      const lock = await lockNow();
      if (ref) await session.adopt(ref);
      else
        await session.open(
          channel as string,
          `QoS guard window${lock ? `: locked (${lock.reason})` : ''}`,
          `guard:${lock?.id ?? 'none'}`,
        );
      opened = true;
    }
    await session.reply(await threadId(), { text: b.text });
  };
  return {
    sink: briefingSink({ everyMs, post, lastBriefingAt: async () => session.lastReplyAt(await threadId()) }),
    close: async () => {
      if (!(await session.flush(30_000)))
        process.stderr.write('threader: some briefings are still queued for Slack\n');
      await session.close();
    },
  };
}
