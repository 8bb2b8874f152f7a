/**
 * The dashboard's views, in nav order: the one place a new view is added.
 * `events` names the live events that refresh the view (live-events.ts).
 */
export interface DashboardView {
  id: string;
  path: string;
  label: string;
  events: readonly DashboardEventType[];
}

/**
 * thread: one thread changed; message: one was posted or edited in Slack; threads: some did;
 * guard: the lock file; deploy: a deploy record or its event log (written by `threader deploy`).
 */
export type DashboardEventType = 'thread' | 'message' | 'threads' | 'guard' | 'deploy';

export const VIEWS = [
  { id: 'threads', path: '/', label: 'Threads', events: ['thread', 'message', 'threads'] },
  { id: 'deployments', path: '/deployments', label: 'Deployments', events: ['deploy'] },
  { id: 'guard', path: '/guard', label: 'Guard', events: ['guard'] },
] as const satisfies readonly DashboardView[];

export type ViewId = (typeof VIEWS)[number]['id'];
