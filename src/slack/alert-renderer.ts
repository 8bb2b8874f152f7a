import type { EpisodeState, ReplyChange } from '../core/types.js';
import { renderAlertParent } from './render/alert-parent.js';
import { renderAlertReply } from './render/alert-reply.js';
import type { ThreadRenderer } from './thread-engine.js';

/** Alert episodes as the thread engine sees them: parent = live state, replies = what changed. */
export const alertRenderer: ThreadRenderer<EpisodeState> = {
  parent: (thread, ctx) =>
    renderAlertParent(thread.state, {
      now: ctx.now,
      previousPermalink: ctx.previousPermalink,
      alertmanagerUrl: thread.state.externalURL || undefined,
    }),
  reply: (thread, payload, ctx) => renderAlertReply(payload as ReplyChange, thread.state, ctx),
};
