/** auth.test (protocol: docs.slack.dev/reference/methods/auth.test). */
import type { Args } from '../args.js';
import { type MethodContext, type MethodResult, succeed } from './context.js';

export function authTest(_args: Args, ctx: MethodContext): MethodResult {
  return succeed({
    url: ctx.workspaceUrl,
    team: ctx.identity.teamName,
    user: 'threader',
    team_id: ctx.identity.teamId,
    user_id: ctx.identity.botUserId,
    bot_id: ctx.identity.botId,
    is_enterprise_install: false,
  });
}
