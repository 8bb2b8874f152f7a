import type { DeployRecord, DeployStatus } from '../deploy/types.js';
import { displayBy } from '../slack/actor-by.js';
import { parseThreadRef } from '../slack/thread-ref.js';
import { slackPermalink } from './permalink.js';

/** What one line of the deployments list says about a deploy. Pure. */
export interface DeployRow {
  id: string;
  env: string;
  service: string;
  strategy: string;
  fromVersion: string | null;
  toVersion: string;
  status: DeployStatus;
  /** The status in words ("waiting for approval"); colour is never the only signal. */
  statusText: string;
  tone: StatusTone;
  /** Who started it, `@alice (Slack)` for a Slack user. */
  by: string;
  reason?: string;
  rollbackOf?: string;
  startedAt: number;
  finishedAt: number | null;
  /** Start to finish, or to now while it runs. */
  durationMs: number;
  /** The deploy's Slack thread (record.threadRef), absent until it has one. */
  threadLink?: string;
}

export type StatusTone = 'good' | 'bad' | 'warn' | 'active';

const STATUS: Record<DeployStatus, { text: string; tone: StatusTone }> = {
  running: { text: 'running', tone: 'active' },
  paused: { text: 'paused', tone: 'warn' },
  'waiting-approval': { text: 'waiting for approval', tone: 'warn' },
  'rolling-back': { text: 'rolling back', tone: 'bad' },
  succeeded: { text: 'succeeded', tone: 'good' },
  failed: { text: 'failed', tone: 'bad' },
  'rolled-back': { text: 'rolled back', tone: 'bad' },
  aborted: { text: 'aborted', tone: 'warn' },
};

export function statusText(s: DeployStatus): string {
  return STATUS[s]?.text ?? s;
}

export function statusTone(s: DeployStatus): StatusTone {
  return STATUS[s]?.tone ?? 'warn';
}

/** `CHANNEL:TS` → the Slack permalink of the thread's parent; undefined for a malformed ref. */
export function threadLink(
  threadRef: string | undefined,
  workspaceUrl: string | undefined,
): string | undefined {
  if (!threadRef) return undefined;
  try {
    const { channel, ts } = parseThreadRef(threadRef);
    return slackPermalink(workspaceUrl, channel, ts);
  } catch {
    return undefined;
  }
}

export function deployRow(r: DeployRecord, now: number, workspaceUrl: string | undefined): DeployRow {
  return {
    id: r.id,
    env: r.env,
    service: r.service,
    strategy: r.strategy,
    fromVersion: r.fromVersion,
    toVersion: r.toVersion,
    status: r.status,
    statusText: statusText(r.status),
    tone: statusTone(r.status),
    by: displayBy(r.by),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.rollbackOf ? { rollbackOf: r.rollbackOf } : {}),
    startedAt: r.createdAt,
    finishedAt: r.finishedAt,
    durationMs: Math.max(0, (r.finishedAt ?? now) - r.createdAt),
    threadLink: threadLink(r.threadRef, workspaceUrl),
  };
}
