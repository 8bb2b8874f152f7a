import { durationMs, episodeCounts, episodeSeverity, episodeTitle, type Severity } from '../core/summary.js';
import type { ThreadRecord } from '../store/types.js';
import { slackPermalink } from './permalink.js';

/** What one line of the threads list says about a thread. Pure. */
export interface ThreadRow {
  id: string;
  title: string;
  state: string;
  severity: Severity;
  firing: number;
  resolved: number;
  openedAt: number;
  /** From the first firing until it resolved (or until now). */
  durationMs: number;
  channel: string;
  /** Absent until Slack has the parent. */
  permalink?: string;
}

export function threadRow(t: ThreadRecord, now: number, workspaceUrl: string | undefined): ThreadRow {
  const counts = episodeCounts(t.state);
  return {
    id: t.id,
    title: episodeTitle(t.state),
    state: t.status,
    severity: episodeSeverity(t.state),
    firing: counts.firing,
    resolved: counts.resolved,
    openedAt: t.openedAt,
    durationMs: durationMs(t.state, now),
    channel: t.channel,
    permalink: t.parentTs ? slackPermalink(workspaceUrl, t.channel, t.parentTs) : undefined,
  };
}
