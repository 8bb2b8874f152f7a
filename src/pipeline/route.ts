import type { Notification } from '../core/types.js';

/**
 * Channel routing: the first rule that matches wins, else the default channel. A rule matches on
 * the receiver name and/or label values (of the group: commonLabels, then groupLabels); values
 * written as /regex/ are anchored regular expressions, like Alertmanager's matchers.
 */
export interface RouteRule {
  receiver?: string;
  labels?: Record<string, string>;
  channel: string;
}

export function compileRoutes(rules: RouteRule[], defaultChannel: string): (n: Notification) => string {
  const compiled = rules.map((r) => ({
    channel: r.channel,
    receiver: r.receiver === undefined ? undefined : matcher(r.receiver),
    labels: Object.entries(r.labels ?? {}).map(([k, v]) => [k, matcher(v)] as const),
  }));
  return (n) => {
    const labels = { ...n.groupLabels, ...n.commonLabels };
    for (const r of compiled) {
      if (r.receiver && !r.receiver(n.receiver)) continue;
      if (r.labels.every(([k, test]) => test(labels[k] ?? ''))) return r.channel;
    }
    return defaultChannel;
  };
}

function matcher(pattern: string): (value: string) => boolean {
  const m = /^\/(.*)\/$/.exec(pattern);
  if (!m) return (v) => v === pattern;
  const re = new RegExp(`^(?:${m[1]})$`);
  return (v) => re.test(v);
}
