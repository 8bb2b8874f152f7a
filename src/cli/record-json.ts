import type { DeployRecord } from '../deploy/types.js';

/** A deploy record for `--json` output (the plan's steps are summarised by count). */
export function recordJson(r: DeployRecord): Record<string, unknown> {
  const { plan, ...rest } = r;
  return {
    ...rest,
    steps: plan.steps.length,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
    finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt).toISOString(),
  };
}
