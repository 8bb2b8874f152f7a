/**
 * Alertmanager webhook v4 bodies for the benchmark: one group of `alerts` firing alerts, shaped
 * like what Alertmanager 0.25 sends (no notification_reason), so the threader does its full work.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** @returns {Record<string, unknown>} */
export function groupBody(group, { alerts = 10, run = 'bench', receiver = 'slack-threads' } = {}) {
  const name = `g${String(group).padStart(4, '0')}`;
  const groupLabels = { alertname: 'BenchHighErrorRate', group: name };
  const list = [];
  for (let i = 0; i < alerts; i++) {
    const instance = `api-${i}.${name}.example.internal:9100`;
    list.push({
      status: 'firing',
      labels: { ...groupLabels, instance, job: 'api', severity: 'critical', cluster: 'eu-1', run },
      annotations: {
        summary: `5xx ratio above 5% on ${instance}`,
        description: `The 5xx ratio on ${instance} has been above 5% for 5 minutes (current value: 12.${i}%).`,
        runbook_url: 'https://runbooks.example.internal/high-error-rate',
      },
      startsAt: '2026-11-26T12:00:00.000Z',
      endsAt: ZERO_TIME,
      generatorURL: `http://prometheus.example.internal:9090/graph?g0.expr=job%3D%22api%22&g0.tab=1&i=${i}`,
      fingerprint: createHash('sha256').update(`${run}/${name}/${i}`).digest('hex').slice(0, 16),
    });
  }
  return {
    version: '4',
    groupKey: `{}/{}:{alertname="BenchHighErrorRate", group="${name}", run="${run}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver,
    groupLabels,
    commonLabels: { ...groupLabels, job: 'api', severity: 'critical', cluster: 'eu-1', run },
    commonAnnotations: { runbook_url: 'https://runbooks.example.internal/high-error-rate' },
    externalURL: 'http://alertmanager.example.internal:9093',
    alerts: list,
  };
}

/** `count` distinct group bodies, serialised once so the load generator only writes bytes. */
export function groupBodies(count, opts) {
  return Array.from({ length: count }, (_, g) => Buffer.from(JSON.stringify(groupBody(g, opts))));
}
