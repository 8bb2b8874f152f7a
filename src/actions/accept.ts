import type { ThreadStore } from '../store/types.js';
import { isDeployPress } from './button-ids.js';
import type { ActionRequest } from './payload.js';

export interface AcceptDeps {
  store: Pick<ThreadStore, 'getThread' | 'queueSlackAction'>;
  now(): number;
  /** Wakes the worker that carries presses out. */
  onQueued(): void;
}

/** The answer to the request itself; what the press did is told later through response_url. */
export interface AcceptResult {
  queued: number;
  /** Set when the request named a thread we do not know (never trusted: looked up). */
  error?: string;
  text?: string;
}

/**
 * Records each press of a verified request, quickly: the request must be answered within 3 s
 * (protocol), so Alertmanager is never called here. Unknown threads are reported, not queued.
 */
export async function acceptActionRequest(req: ActionRequest, deps: AcceptDeps): Promise<AcceptResult> {
  let queued = 0;
  for (const press of req.presses) {
    // Deploy presses are answered in the request itself (deploy-press.ts): nothing to carry out later.
    if (press.kind === 'link' || isDeployPress(press)) continue;
    const thread = await deps.store.getThread(press.threadId);
    if (!thread || thread.kind !== 'alert') {
      return {
        queued,
        error: 'unknown_thread',
        text: 'This button belongs to an alert thread this threader does not know (pruned, or another installation).',
      };
    }
    await deps.store.queueSlackAction({
      threadId: thread.id,
      kind: press.kind,
      actor: req.actor,
      durationMs: press.kind === 'silence' ? press.durationMs : undefined,
      responseUrl: req.responseUrl,
      now: deps.now(),
    });
    queued++;
  }
  if (queued > 0) deps.onQueued();
  return { queued };
}
