/**
 * Deploy figures (issue 5), on real nginx + Prometheus + test-service processes under a steady load:
 *
 * 1. Rolling deploy wall time (`threader deploy` as a user runs it, process start to exit) over the
 *    waits its plan mandates (`threader plan --json` → plan.mandatedWaitMs: drains, health-gate
 *    minimum, pauses, analyses). Everything above 1.0 is the executor's own cost: process starts,
 *    probes, nginx reloads. Goal ≤ 1.2.
 * 2. Bad canary (20 % 5xx at 10 % of the traffic): time from the first answer of the bad version
 *    through nginx to its last one, over the bound interval × (failureLimit + 1) + 5 s — the
 *    measurements Argo semantics need before it may call the analysis Failed, plus 5 s for the
 *    revert. Goal ≤ 1.0.
 */
import { setTimeout } from 'node:timers';
import { hasDeployTools, startDeployFleet } from './lib/deploy-fleet.js';
import { round } from './lib/stats.js';

const seconds = (ms) => `${ms / 1000}s`;

/** @param {{instances: number, drainMs: number, probeMs: number, successes: number, analysisMs: number, failureLimit: number, keep?: boolean}} o */
export async function measureDeploy(o) {
  if (!hasDeployTools())
    return [
      { figure: 'deploy (skipped: needs nginx and prometheus)', value: 'skipped', baseline: '-', ratio: '-' },
    ];
  const fleet = await startDeployFleet({
    instances: o.instances,
    keep: o.keep,
    strategy: {
      default: 'rolling',
      rolling: { maxSurge: '25%', maxUnavailable: '25%', drainDelay: seconds(o.drainMs) },
      canary: {
        tags: ['canary'],
        steps: [{ setWeight: 10 }, { analysis: {} }],
        drainDelay: seconds(o.drainMs),
      },
    },
    healthCheck: { interval: seconds(o.probeMs), successes: o.successes },
    analysis: {
      interval: seconds(o.analysisMs),
      window: seconds(Math.max(o.analysisMs, 3_000)),
      count: 3,
      failureLimit: o.failureLimit,
    },
  });
  try {
    const first = await fleet.deploy(['deploy', '--to', 'v1']);
    if (first.code !== 0) throw new Error(`setting up v1 failed: ${first.stderr}`);
    await fleet.waitForPrometheusTargets();

    // 1. Rolling v1 → v2.
    const planned = await fleet.plan('v2');
    const mandated = planned.plan.mandatedWaitMs;
    const failedBefore = fleet.failed();
    const rolling = await fleet.deploy(['deploy', '--to', 'v2', '--json']);
    if (rolling.code !== 0) throw new Error(`rolling deploy failed: ${rolling.stderr}`);
    const record = JSON.parse(rolling.stdout);
    const recordMs = Date.parse(record.finishedAt) - Date.parse(record.createdAt);

    // 2. A bad canary: 20 % 5xx on the canary at 10 % of the traffic.
    const from = fleet.answers.length;
    const bad = await fleet.deploy(['deploy', '--to', 'v3-bad', '--strategy', 'canary', '--json']);
    const badRecord = JSON.parse(bad.stdout || '{}');
    // The figure means nothing unless the bad canary was actually caught and traffic went back.
    if (badRecord.status !== 'rolled-back' || !badRecord.failure?.gate)
      throw new Error(
        `the bad canary was not rolled back by its gate (status ${badRecord.status ?? 'none'}): ${bad.stderr}`,
      );
    await new Promise((r) => setTimeout(r, 1_000));
    const seen = fleet.answers.slice(from).filter((a) => a.version === 'v3-bad');
    const exposureMs = seen.length ? (seen.at(-1)?.at ?? 0) - (seen[0]?.at ?? 0) : NaN;
    const boundMs = o.analysisMs * (o.failureLimit + 1) + 5_000;
    return [
      {
        figure: `rolling deploy wall time (${o.instances} instances)`,
        unit: 's',
        value: round(rolling.wallMs / 1000, 2),
        baseline: round(mandated / 1000, 2),
        ratio: round(rolling.wallMs / mandated, 3),
        goal: { op: '<=', ratio: 1.2 },
        details: {
          baseline: 'plan.mandatedWaitMs (drains, health-gate minimum, pauses, analyses)',
          batches: planned.plan.rolling?.batches,
          steps: planned.plan.steps.length,
          recordMs,
          failedRequests: fleet.failed() - failedBefore,
        },
      },
      {
        figure: `bad canary exposure (10 %, ${seconds(o.analysisMs)} × (${o.failureLimit} + 1) + 5 s)`,
        unit: 's',
        value: round(exposureMs / 1000, 2),
        baseline: round(boundMs / 1000, 2),
        ratio: round(exposureMs / boundMs, 3),
        goal: { op: '<=', ratio: 1 },
        details: {
          status: badRecord.status,
          failingValue: badRecord.failure?.judgements?.[0]?.value,
          query: badRecord.failure?.judgements?.[0]?.query,
          badAnswers: seen.length,
          failedRequests: fleet.failed() - failedBefore,
        },
      },
    ];
  } finally {
    await fleet.stop();
  }
}
