import type { Matcher } from '../alertmanager/types.js';
import type { EpisodeState } from '../core/types.js';

/**
 * Equality matchers for the labels every alert of the group shares (commonLabels, which holds the
 * groupLabels): the silence covers exactly what the thread is about. `isEqual: true` is "=";
 * false would be "!=" and silence everything else. Empty when the group shares no label: a
 * silence without matchers is refused by Alertmanager, and would silence everything if it were not.
 */
export function silenceMatchers(state: Pick<EpisodeState, 'groupLabels' | 'commonLabels'>): Matcher[] {
  const labels = { ...state.groupLabels, ...state.commonLabels };
  return Object.keys(labels)
    .sort()
    .filter((name) => labels[name] !== '')
    .map((name) => ({ name, value: labels[name] as string, isRegex: false, isEqual: true }));
}

/**
 * Why these matchers would silence far more than the thread, or undefined when they are specific
 * enough. A group whose alerts share only `severity="critical"` (or only `cluster="eu"`) would
 * silence every such alert of every team; an alertname, or at least two labels, keeps a silence to
 * what the thread is about. Alertmanager itself accepts any non-empty set, so we refuse here.
 */
export function tooGeneric(matchers: readonly Matcher[]): string | undefined {
  if (matchers.length === 0) return 'the alerts share no label to match on';
  if (matchers.some((m) => m.name === 'alertname') || matchers.length >= 2) return undefined;
  return `the alerts share only ${formatMatchers(matchers)}, which would silence every alert carrying it`;
}

/** As Alertmanager and amtool show matchers: `alertname="Down", service="api"`. */
export function formatMatchers(matchers: readonly Matcher[]): string {
  return matchers
    .map(
      (m) => `${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '=~' : '='}${JSON.stringify(m.value)}`,
    )
    .join(', ');
}
