import { hostname } from 'node:os';
import { loadDeploySpec } from '../deploy/spec.js';
import { openStore } from '../deploy/compose.js';
import { ownerLiveness, pidAlive } from '../deploy/executor-start.js';
import { describeStep } from '../deploy/progress.js';
import type { DeployRecord } from '../deploy/types.js';
import { UsageError } from '../errors.js';
import type { StatusFlags } from './deploy-status.js';
import { recordJson } from './record-json.js';

function lines(r: DeployRecord): string[] {
  const live = ownerLiveness(r.owner, Date.now(), { host: hostname(), pidAlive });
  const step = r.plan.steps[r.stepIndex];
  const out = [
    `${r.id}  ${r.env}  ${r.strategy}  ${r.fromVersion ?? '-'} → ${r.toVersion}  ${r.status}  by ${r.by}  ${new Date(r.createdAt).toISOString()}`,
  ];
  if (!['succeeded', 'failed', 'rolled-back', 'aborted'].includes(r.status)) {
    out.push(`  step ${r.stepIndex + 1}/${r.plan.steps.length}${step ? `: ${describeStep(step)}` : ''}`);
    out.push(`  executor: ${live.alive ? `pid ${r.owner?.pid} on ${r.owner?.host}` : `none (${live.why})`}`);
  }
  if (r.reason) out.push(`  reason: ${r.reason}`);
  if (r.failure)
    out.push(`  failure at step ${r.failure.step + 1} (${r.failure.kind}): ${r.failure.message}`);
  return out;
}

/** Prints the active deploys (or the given one) and the latest finished ones. */
export async function showStatus(id: string | undefined, flags: StatusFlags): Promise<void> {
  const spec = await loadDeploySpec(flags.config);
  const store = await openStore(spec, flags.stateDb);
  try {
    let records: DeployRecord[];
    if (id) {
      const r = await store.get(id);
      if (!r) throw new UsageError(`no deploy ${id}`);
      records = [r];
    } else {
      records = await store.list({
        ...(flags.env ? { env: flags.env } : {}),
        limit: Number(flags.limit) || 5,
      });
    }
    if (flags.json) {
      const events = id
        ? (await store.events(id)).map((e) => ({
            seq: e.seq,
            at: new Date(e.at).toISOString(),
            ...e.event,
          }))
        : undefined;
      process.stdout.write(
        `${JSON.stringify({ deploys: records.map(recordJson), ...(events ? { events } : {}) })}\n`,
      );
      return;
    }
    if (records.length === 0) process.stdout.write('no deploys yet\n');
    for (const r of records) process.stdout.write(`${lines(r).join('\n')}\n`);
  } finally {
    await store.close();
  }
}
