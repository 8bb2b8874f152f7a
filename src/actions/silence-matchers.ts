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
