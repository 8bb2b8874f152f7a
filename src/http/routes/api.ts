import type { FastifyInstance } from 'fastify';
import { NotFoundError, ValidationError } from '../../errors.js';
import {
  durationMs,
  episodeCounts,
  episodeSeverity,
  episodeTitle,
  firstFiredAt,
} from '../../core/summary.js';
import type { ThreadRecord, ThreadStore } from '../../store/types.js';

/** Read-only JSON API over threads: what the dashboard and first-run users look at. */
export function registerApiRoutes(app: FastifyInstance, deps: { store: ThreadStore; now(): number }): void {
  app.get('/api/threads', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new ValidationError([{ field: 'limit', problem: 'must be an integer from 1 to 1000' }], 'query');
    }
    if (q.status !== undefined && !['firing', 'resolved'].includes(q.status)) {
      throw new ValidationError([{ field: 'status', problem: 'must be one of firing, resolved' }], 'query');
    }
    const threads = await deps.store.listThreads({ status: q.status, channel: q.channel, limit });
    return { threads: threads.map((t) => summary(t, deps.now())) };
  });

  app.get('/api/threads/:id', async (req) => {
    const { id } = req.params as { id: string };
    const thread = await deps.store.getThread(id);
    if (!thread || thread.kind !== 'alert') throw new NotFoundError(`no alert thread ${id}`);
    const [messages, outbox] = await Promise.all([deps.store.messages(id), deps.store.outbox(id)]);
    return {
      thread: { ...summary(thread, deps.now()), state: thread.state },
      messages,
      outbox: outbox.map(({ id: oid, kind, status, attempts, lastError, createdAt }) => ({
        id: oid,
        kind,
        status,
        attempts,
        lastError,
        createdAt,
      })),
    };
  });
}

function summary(t: ThreadRecord, now: number) {
  const counts = episodeCounts(t.state);
  return {
    id: t.id,
    kind: t.kind,
    threadKey: t.threadKey,
    seq: t.seq,
    channel: t.channel,
    parentTs: t.parentTs,
    status: t.status,
    title: episodeTitle(t.state),
    severity: episodeSeverity(t.state),
    firing: counts.firing,
    resolved: counts.resolved,
    truncated: t.state.truncatedAlerts,
    firstFiredAt: new Date(firstFiredAt(t.state)).toISOString(),
    durationSeconds: Math.round(durationMs(t.state, now) / 1000),
    openedAt: new Date(t.openedAt).toISOString(),
    resolvedAt: t.resolvedAt ? new Date(t.resolvedAt).toISOString() : null,
    previousId: t.previousId,
  };
}
