import type { GuardConfig } from '../config/guard.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
import { evaluateSlos, type GuardEvaluation } from '../guard/evaluation.js';
import { formatEvaluation, formatStatus, statusJson } from '../guard/format.js';
import { guardStatus, lockGuard, unlockGuard, type GuardContext } from '../guard/guard.js';
import { LockFile } from '../guard/lock-file.js';
import { currentActor, resolveLockFile } from '../guard/paths.js';
import { createGuardProvider } from '../guard/settings.js';
import { guardChecks } from '../guard/slos.js';
import { watchGuard, type WatchReport } from '../guard/watch.js';
import { openBriefing } from './guard-briefing.js';
import {
  duration,
  lockDuration,
  type CheckFlags,
  type CommonFlags,
  type LockFlags,
  type UnlockFlags,
  type WatchFlags,
} from './guard.js';

interface Setup {
  config: GuardConfig;
  full: LoadedConfig;
  ctx: GuardContext;
  flags: CommonFlags;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const json = (value: unknown) => out(JSON.stringify(value));

async function setup(flags: CommonFlags): Promise<Setup> {
  const env = process.env;
  const full = await loadConfig({ configPath: flags.config ?? (env.THREADER_CONFIG || undefined), env });
  const config = full.guard;
  const file = new LockFile(resolveLockFile({ flag: flags.lockFile, env, config: config.lockFile }));
  return { config, full, flags, ctx: { file, now: Date.now, actor: flags.by || currentActor(env) } };
}

function evaluationJson(e: GuardEvaluation): Record<string, unknown> {
  return {
    at: new Date(e.at).toISOString(),
    healthy: e.healthy,
    results: e.results.map((r) => ({
      slo: r.check,
      outcome: r.outcome,
      value: r.value ?? null,
      comparator: r.comparator,
      threshold: r.threshold,
      noData: r.noData,
      message: r.message,
      query: r.query,
    })),
  };
}

function reportJson(r: WatchReport): Record<string, unknown> {
  return {
    at: new Date(r.at).toISOString(),
    released: r.released,
    expired: r.expired,
    ...statusJson(r.status),
    ...(r.evaluation ? { evaluation: evaluationJson(r.evaluation) } : {}),
  };
}

function printReport(r: WatchReport): void {
  if (r.evaluation) formatEvaluation(r.evaluation).forEach(out);
  if (r.released) out('guard released: minimum duration over and every SLO healthy long enough');
  else if (r.expired) out('guard lock expired and was removed');
  else formatStatus(r.status).forEach((l) => out(`  ${l}`));
}

/** `guard status`: exit 0 when unlocked, 1 when locked. */
export async function showGuardStatus(flags: CommonFlags): Promise<void> {
  const { ctx } = await setup(flags);
  const status = await guardStatus(ctx);
  if (flags.json) json(statusJson(status));
  else formatStatus(status).forEach(out);
  process.exitCode = status.locked ? 1 : 0;
}

/** `guard lock`: takes or extends the lock. */
export async function lock(durationArg: string | undefined, flags: LockFlags): Promise<void> {
  const { ctx, config } = await setup(flags);
  const mode = flags.release ?? config.release.mode;
  if (mode !== 'slo' && mode !== 'time') throw new UsageError(`--release: "${mode}" must be slo or time`);
  const k = flags.healthyEvaluations ?? String(config.release.healthyEvaluations);
  if (!/^\d+$/.test(k) || Number(k) < 1)
    throw new UsageError(`--healthy-evaluations: "${k}" is not a whole number ≥ 1`);
  const { lock, extended } = await lockGuard(ctx, {
    durationMs: lockDuration(durationArg) ?? config.defaultDuration,
    reason: flags.reason,
    mode,
    healthyEvaluations: Number(k),
    maxLockDurationMs: duration('--max-duration', flags.maxDuration) ?? config.release.maxLockDuration,
  });
  if (flags.json) json({ locked: true, extended, lock, lockFile: ctx.file.path });
  else
    out(
      `${extended ? 'extended' : 'locked'} until at least ${lock.until}: ${lock.reason} (${ctx.file.path})`,
    );
}

/** `guard unlock`: removes the lock once its release criteria hold, or when forced. */
export async function unlock(flags: UnlockFlags): Promise<void> {
  const { ctx } = await setup(flags);
  const r = await unlockGuard(ctx, { force: flags.force, reason: flags.reason });
  if (flags.json) json({ unlocked: true, forced: r.forced, removed: r.removed ?? null });
  else out(r.removed ? `unlocked${r.forced ? ' (forced, recorded)' : ''}` : 'was not locked');
}

/** `guard check`: one evaluation of every SLO; exit 0 when all are healthy, else 1. */
export async function check(flags: CheckFlags): Promise<void> {
  const { config } = await setup(flags);
  const provider = createGuardProvider(config, { prometheusUrl: flags.prometheusUrl, env: process.env });
  const windowMs = duration('--window', flags.window) ?? config.window;
  const evaluation = await evaluateSlos(provider, guardChecks(config), { windowMs });
  if (flags.json) json(evaluationJson(evaluation));
  else formatEvaluation(evaluation).forEach(out);
  process.exitCode = evaluation.healthy ? 0 : 1;
}

/** `guard watch`: evaluates on an interval and releases the lock when the criteria hold. */
export async function watch(flags: WatchFlags): Promise<void> {
  const { ctx, config, full } = await setup(flags);
  const briefing = await openBriefing(full, config, ctx, flags);
  const provider = createGuardProvider(config, {
    prometheusUrl: flags.prometheusUrl,
    env: process.env,
  });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const last = await watchGuard({
      ctx,
      provider,
      checks: guardChecks(config),
      windowMs: duration('--window', flags.window) ?? config.window,
      intervalMs: duration('--interval', flags.interval) ?? config.evaluationInterval,
      minSpacingMs: (duration('--interval', flags.interval) ?? config.evaluationInterval) / 2,
      once: flags.once,
      exitWhenUnlocked: flags.exitWhenUnlocked,
      signal: stop.signal,
      onEvaluation: async (r) => {
        if (flags.json) json(reportJson(r));
        else printReport(r);
        await briefing?.sink(r);
      },
    });
    process.exitCode = flags.once && last.status.locked ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await briefing?.close();
  }
}
