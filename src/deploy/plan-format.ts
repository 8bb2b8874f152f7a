import { formatDuration } from '../config/duration.js';
import { resolveSurge, rollingBatchSize } from './surge.js';
import type { EnvironmentSpec, Plan, Step } from './types.js';

/**
 * `threader plan`'s human text: every step on one line, the rolling batches, the weight table with
 * effective shares, the gates, and the durations. Pure: the plan and its environment in, text out.
 */

const weightText = (w: Record<string, number>) =>
  Object.entries(w)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || '(none: nothing in nginx)';

export function stepText(s: Step, env: EnvironmentSpec): string {
  const list = 'instances' in s ? s.instances.join(', ') : '';
  const batch = 'batch' in s && s.batch !== undefined ? ` [batch ${s.batch}]` : '';
  const hc = env.healthCheck;
  switch (s.kind) {
    case 'approve':
      return `approve      wait for \`threader approve\`: ${s.reason} (${env.approval.onTimeout} after ${formatDuration(env.approval.timeout)})`;
    case 'start':
      return `start        ${list} on ${s.version}${batch}`;
    case 'health-gate':
      return `health-gate  ${list}: ${hc.successes} × ${hc.expectStatus} from ${hc.path}, ${formatDuration(hc.interval)} apart, within ${formatDuration(hc.deadline)}${batch}`;
    case 'drain':
      return `drain        ${list} for ${formatDuration(s.delay)}${batch}`;
    case 'stop':
      return `stop         ${list}${batch}`;
    case 'set-weight': {
      const share =
        s.effectivePercent === undefined
          ? ''
          : ` → canary ${s.requestedPercent === undefined ? '' : `${s.requestedPercent}% requested, `}${s.effectivePercent}% effective`;
      return `set-weight   ${weightText(s.weights)}${share}`;
    }
    case 'switch':
      return `switch       nginx to ${s.to} in one reload: ${weightText(s.weights)}`;
    case 'analyse':
      return `analyse      ${s.label}: ${s.count} measurement(s), ${formatDuration(s.interval)} apart${env.analysis ? `, failureLimit ${env.analysis.failureLimit}, no data → ${env.analysis.noData}` : ''}`;
    case 'pause':
      return `pause        ${s.duration === undefined ? 'until `threader resume`' : formatDuration(s.duration)}: ${s.reason}`;
  }
}

/** Canary weight rows: one per set-weight step that states a share. */
function weightTable(plan: Plan, env: EnvironmentSpec): string[] {
  const rows = plan.steps.flatMap((s, n) =>
    s.kind === 'set-weight' && s.effectivePercent !== undefined ? [{ n: n + 1, s }] : [],
  );
  if (rows.length === 0) return [];
  const names = env.instances.map((i) => i.name);
  const header = ['step', 'requested', 'effective', ...names];
  const body = rows.map(({ n, s }) => [
    String(n),
    s.requestedPercent === undefined ? '-' : `${s.requestedPercent}%`,
    `${s.effectivePercent}%`,
    ...names.map((i) => String(s.weights[i] ?? '-')),
  ]);
  const width = header.map((h, c) => Math.max(h.length, ...body.map((r) => (r[c] as string).length)));
  const line = (r: string[]) => `  ${r.map((v, c) => v.padEnd(width[c] as number)).join('  ')}`.trimEnd();
  return [
    '',
    'Canary weights (nginx weight per instance; - = out of the upstream):',
    line(header),
    ...body.map(line),
  ];
}

export function formatPlan(plan: Plan, env: EnvironmentSpec): string {
  const from = plan.fromVersion === null ? 'nothing running' : plan.fromVersion;
  const out = [`Plan: ${plan.strategy} deploy of ${plan.toVersion} to ${plan.env} (now: ${from})`];
  if (plan.noop) {
    out.push(`No changes: every instance already runs ${plan.toVersion} with nginx as it should be.`);
    return `${out.join('\n')}\n`;
  }
  out.push(
    `${plan.steps.length} steps · mandated waits ${formatDuration(plan.mandatedWaitMs)} · worst case ${formatDuration(plan.worstCaseMs)}`,
    '',
  );
  const pad = String(plan.steps.length).length;
  plan.steps.forEach((s, n) => out.push(`  ${String(n + 1).padStart(pad)}. ${stepText(s, env)}`));
  if (plan.rolling) {
    const r = plan.rolling;
    out.push(
      '',
      `Batches (maxSurge ${r.surge}, maxUnavailable ${r.unavailable} of ${env.instances.length}): ${r.batches.map((b) => `[${b.join(', ')}]`).join(' ') || 'none'}`,
    );
  }
  out.push(...weightTable(plan, env));
  const gates = plan.steps.filter(
    (s) => s.kind === 'health-gate' || s.kind === 'analyse' || s.kind === 'approve',
  );
  const count = (k: Step['kind']) => gates.filter((s) => s.kind === k).length;
  out.push(
    '',
    `Gates: ${count('health-gate')} health gate(s), ${count('analyse')} analysis gate(s), ${count('approve')} approval(s)`,
  );
  if (env.analysis && count('analyse') > 0)
    out.push(
      ...env.analysis.checks.map((c) => `  ${c.name} ${c.comparator} ${c.threshold} (no data: ${c.noData})`),
    );
  if (plan.notes?.length) out.push('', 'Notes:', ...plan.notes.map((n) => `  - ${n}`));
  return `${out.join('\n')}\n`;
}

/** The N = 1..max table of docs/deploy.md, as Markdown (a test keeps the doc equal to it). */
export function surgeTableMarkdown(max = 10): string {
  const rows = [
    '| N | maxSurge 25 % | maxUnavailable 25 % | instances per batch here |',
    '|---|---|---|---|',
  ];
  for (let n = 1; n <= max; n++) {
    const r = resolveSurge(n, '25%', '25%');
    rows.push(`| ${n} | ${r.surge} | ${r.unavailable} | ${rollingBatchSize(r, n)} |`);
  }
  return rows.join('\n');
}
