import type { DigestState } from '../core/storm.js';
import type { ThreadStore } from '../store/types.js';

export interface StormStatus {
  channel: string;
  digest: string;
  since: string;
  groups: number;
}

/** Channels in storm mode now, read from the store (so every replica's /health says the same). */
export async function stormStatus(store: ThreadStore): Promise<StormStatus[]> {
  const running = await store.listThreads({ kind: 'digest', status: 'storm', limit: 100 });
  return Promise.all(
    running.map(async (t) => ({
      channel: (t.state as unknown as DigestState).channel,
      digest: t.id,
      since: new Date(t.openedAt).toISOString(),
      groups: (await store.digestEntries(t.id)).length,
    })),
  );
}
