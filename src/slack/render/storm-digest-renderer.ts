import type { DigestEntry, DigestReply, DigestState } from '../../core/storm.js';
import type { ThreadStore } from '../../store/types.js';
import type { ThreadRenderer } from '../engine-types.js';
import { renderDigestParent, renderDigestReply } from './storm-digest.js';

/** Storm digests as the thread engine sees them: the table rows are loaded from the store at send time. */
export function digestRenderer(store: Pick<ThreadStore, 'digestEntries'>): ThreadRenderer<DigestState> {
  return {
    load: (thread) => store.digestEntries(thread.id),
    parent: (thread, ctx) =>
      renderDigestParent(thread.state, {
        now: ctx.now,
        entries: (ctx.data as DigestEntry[] | undefined) ?? [],
      }),
    reply: (_thread, payload, ctx) => renderDigestReply(payload as DigestReply, ctx),
  };
}
