/** reactions.add (protocol: docs.slack.dev/reference/methods/reactions.add). */
import { type Args, str } from '../args.js';
import { type MethodContext, type MethodResult, fail, succeed } from './context.js';

// Emoji names are given without colons; skin tones as "name::skin-tone-N".
const EMOJI_NAME = /^[a-z0-9_+'-]+(?:::skin-tone-[2-6])?$/;

export function addReaction(args: Args, ctx: MethodContext): MethodResult {
  const channelArg = str(args, 'channel');
  const timestamp = str(args, 'timestamp');
  if (!channelArg || !timestamp) return fail('no_item_specified');
  const channel = ctx.store.resolve(channelArg);
  if (!channel) return fail('channel_not_found');
  if (channel.archived) return fail('is_archived');
  const name = str(args, 'name') ?? '';
  if (!EMOJI_NAME.test(name)) return fail('invalid_name');
  const message = ctx.store.find(channel, timestamp);
  if (!message) return fail('message_not_found');
  const users = message.reactions.get(name) ?? [];
  if (users.includes(ctx.identity.botUserId)) return fail('already_reacted');
  message.reactions.set(name, [...users, ctx.identity.botUserId]);
  return succeed({}, message.ts);
}
