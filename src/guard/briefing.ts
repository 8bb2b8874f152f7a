import { formatBriefing } from './format.js';
import type { OnEvaluation, WatchReport } from './watch.js';

export interface Briefing {
  text: string;
  /** The last briefing of a lock (released or expired). */
  final: boolean;
}

/**
 * Throttles watch reports into briefings: the first report, then one every `everyMs`, and always
 * the one that ends the lock (the original posted every 5 minutes whether locked or not).
 */
export function briefingSink(opts: {
  everyMs: number;
  post: (b: Briefing) => void | Promise<void>;
  /** When the last briefing went out, as remembered elsewhere (a timer runs a new process each tick). */
  lastBriefingAt?: () => Promise<number | undefined>;
}): OnEvaluation {
  let lastAt: number | undefined;
  let loaded = false;
  return async (report: WatchReport) => {
    if (!loaded) {
      loaded = true;
      lastAt = await opts.lastBriefingAt?.();
    }
    const final = report.released || report.expired || !report.status.locked;
    if (!final && lastAt !== undefined && report.at - lastAt < opts.everyMs) return;
    lastAt = report.at;
    const text = report.released
      ? `QoS guard released: minimum duration over and every SLO healthy long enough.\n${formatBriefing(report.status, report.evaluation).split('\n').slice(1).join('\n')}`.trim()
      : report.expired
        ? 'QoS guard lock expired and was removed.'
        : formatBriefing(report.status, report.evaluation);
    await opts.post({ text, final });
  };
}
