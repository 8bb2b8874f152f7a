import type { EpisodeState, ReplyChange } from '../core/types.js';
import { renderAlertParent } from './render/alert-parent.js';
import { renderAlertReply } from './render/alert-reply.js';
import type { ThreadRenderer } from './thread-engine.js';

/**
 * Alert episodes as the thread engine sees them: parent = live state (with what people did from
 * Slack), replies = what changed. Buttons only when Slack interactivity is configured: a button
 * nobody can answer would only fail in the user's face.
 */
export function createAlertRenderer(opts: { buttons: boolean }): ThreadRenderer<EpisodeState> {
  return {
    parent: (thread, ctx) =>
      renderAlertParent(thread.state, {
        now: ctx.now,
        previousPermalink: ctx.previousPermalink,
        alertmanagerUrl: thread.state.externalURL || undefined,
        buttonsFor: opts.buttons ? thread.id : undefined,
        interaction: thread.interaction,
      }),
    reply: (thread, payload, ctx) => renderAlertReply(payload as ReplyChange, thread.state, ctx),
  };
}

export const alertRenderer: ThreadRenderer<EpisodeState> = createAlertRenderer({ buttons: false });
