import type { DeployEvent, Plan, Step } from './types.js';

/**
 * Live progress of a deploy for a terminal (stderr): the current step, its batch, the weights
 * with the effective share, and the next gate. Pure formatting; `--json` runs never call it.
 */

const secs = (ms: number) =>
  ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000}m` : `${+(ms / 1000).toFixed(1)}s`;
const weightsText = (w: Record<string, number>) =>
  Object.entries(w)
    .map(([n, v]) => `${n}=${v}`)
    .join(' ') || '(none)';

export function describeStep(step: Step): string {
  const batch = 'batch' in step && step.batch !== undefined ? ` (batch ${step.batch})` : '';
  switch (step.kind) {
    case 'start':
      return `start ${step.instances.join(', ')} on ${step.version}${batch}`;
    case 'stop':
      return `stop ${step.instances.join(', ')}${batch}`;
    case 'drain':
      return `drain ${step.instances.join(', ')} for ${secs(step.delay)}${batch}`;
    case 'health-gate':
      return `health gate ${step.instances.join(', ')}${batch}`;
    case 'set-weight': {
      const pct =
        step.requestedPercent === undefined
          ? ''
          : ` — ${step.requestedPercent}% requested, ${step.effectivePercent ?? step.requestedPercent}% effective`;
      return `weights ${weightsText(step.weights)}${pct}`;
    }
    case 'switch':
      return `switch traffic to ${step.to}: ${weightsText(step.weights)}`;
    case 'analyse':
      return `analysis "${step.label}": ${step.count} × every ${secs(step.interval)}`;
    case 'pause':
      return step.duration === undefined
        ? `pause until resumed (${step.reason})`
        : `pause ${secs(step.duration)} (${step.reason})`;
    case 'approve':
      return `approval (${step.reason})`;
  }
}

const GATES: ReadonlySet<Step['kind']> = new Set(['health-gate', 'analyse', 'approve']);

/** The next gate after step `index`, as "step N: …", or undefined. */
export function nextGate(plan: Plan, index: number): string | undefined {
  const at = plan.steps.findIndex((s, i) => i > index && GATES.has(s.kind));
  return at < 0 ? undefined : `step ${at + 1}: ${describeStep(plan.steps[at] as Step)}`;
}

/** Lines for one event; `plan` gives the step count and the next gate. */
export function formatDeployEvent(event: DeployEvent, plan: Plan, configHint = ''): string[] {
  const total = plan.steps.length;
  switch (event.type) {
    case 'deploy-started': {
      const d = event.deploy;
      return [
        `deploy ${d.id}: ${d.service} ${d.fromVersion ?? '(nothing)'} → ${d.toVersion} to ${d.env} (${d.strategy}, ${total} steps) by ${d.by}`,
        ...(d.reason ? [`  reason: ${d.reason}`] : []),
      ];
    }
    case 'step-started': {
      const gate = nextGate(plan, event.index);
      return [
        `[${event.index + 1}/${total}] ${describeStep(event.step)}${gate ? `   (next gate: ${gate})` : ''}`,
      ];
    }
    case 'step-finished':
      return event.detail ? [`        ✓ ${event.detail}`] : [];
    case 'weights-set':
      return [
        `        traffic: ${Object.entries(event.weights)
          .map(([n, w]) => `${n}@${event.versions[n] ?? '?'}=${w}`)
          .join(
            ' ',
          )}${event.effectivePercent === undefined ? '' : ` (${event.effectivePercent}% to the new version)`}`,
      ];
    case 'analysis':
      return [
        `        analysis ${event.outcome}`,
        ...event.judgements.map(
          (j) => `          ${j.check}: ${j.message}${j.query ? `  [${j.query}]` : ''}`,
        ),
      ];
    case 'approval-requested':
      return [
        `waiting for approval (${event.reason}): \`threader approve ${event.deployId}${configHint}\` — times out at ${new Date(event.timeoutAt).toISOString()}`,
      ];
    case 'approved':
      return [`        approved by ${event.by}`];
    case 'paused':
      return [
        `paused (${event.by}): \`threader resume ${event.deployId}${configHint}\` to go on, \`threader abort ${event.deployId}${configHint}\` to roll back`,
      ];
    case 'resumed':
      return [`resumed by ${event.by}`];
    case 'deploy-failed':
      return [
        `FAILED at step ${event.failure.step + 1} (${event.failure.kind}): ${event.failure.message}`,
        ...(event.failure.judgements ?? []).map(
          (j) =>
            `  ${j.check}: value ${j.value ?? 'none'}, threshold ${j.comparator} ${j.threshold}${j.query ? `, query ${j.query}` : ''}`,
        ),
        'rolling back (traffic to the stable version first)…',
        `to roll back again by hand: ${event.rollbackCommand}`,
      ];
    case 'rollback-finished':
      return [
        `rollback finished${event.guardLocked ? `; the guard window is locked (\`${guardStatusCommand(event.guardFile)}\`)` : ''}`,
      ];
    case 'deploy-finished':
      return [`deploy ${event.deployId} ${event.status}`];
  }
}

/** A listener writing progress lines to `write` (process.stderr in the CLI). */
export function progressPrinter(
  write: (line: string) => void,
  plan: Plan,
  configHint = '',
): (e: DeployEvent) => void {
  return (e) => formatDeployEvent(e, plan, configHint).forEach((l) => write(`${l}\n`));
}

/** The command that shows the lock: `guard status` reads THREADER_GUARD_FILE, not the deploy config. */
function guardStatusCommand(file: string | undefined): string {
  return file ? `THREADER_GUARD_FILE=${file} threader guard status` : 'threader guard status';
}
