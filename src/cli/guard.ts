import { Command } from 'commander';
import type { GuardConfig } from '../config/guard.js';
import { parseDuration } from '../config/duration.js';
import { UsageError } from '../errors.js';
import { evaluateSlos, type GuardEvaluation } from '../guard/evaluation.js';
import { formatEvaluation, formatStatus, statusJson } from '../guard/format.js';
import { guardStatus, lockGuard, unlockGuard, type GuardContext } from '../guard/guard.js';
import { LockFile } from '../guard/lock-file.js';
import { currentActor, resolveLockFile } from '../guard/paths.js';
import { briefingSink, type Briefing } from '../guard/briefing.js';
import { createGuardProvider } from '../guard/settings.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { SlackSession } from '../slack/session.js';
import { parseThreadRef } from '../slack/thread-ref.js';
import { CHANNEL_ID, CHANNEL_ID_PROBLEM } from '../config/slack-ids.js';
import { guardChecks } from '../guard/slos.js';
import { watchGuard, type WatchReport } from '../guard/watch.js';

interface CommonFlags {
  lockFile?: string;
  config?: string;
  json?: boolean;
  by?: string;
}

interface Setup {
  config: GuardConfig;
  full: LoadedConfig;
  ctx: GuardContext;
  flags: CommonFlags;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const json = (value: unknown) => out(JSON.stringify(value));

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`${flag}: "${text}" is not a duration (e.g. 30s, 15m, 1h)`);
  return ms;
}

/** `lock 5` meant five minutes in the original qos_guard.sh: a bare number stays minutes here. */
function lockDuration(text: string | undefined): number | undefined {
  if (text !== undefined && /^\d+(\.\d+)?$/.test(text.trim())) return duration('DURATION', `${text.trim()}m`);
  return duration('DURATION', text);
}

function common(cmd: Command): Command {
  return cmd
    .option(
      '--lock-file <path>',
      'lock file (default: $THREADER_GUARD_FILE, guard.lockFile, /run/threader.qos.guard)',
    )
    .option('--config <file>', 'threader.yaml whose guard: section to use (default $THREADER_CONFIG)')
    .option(
      '--by <name>',
      'who is acting (default $THREADER_ACTOR, $GITHUB_ACTOR, $GITLAB_USER_LOGIN, $USER)',
    )
    .option('--json', 'machine-readable output');
}

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

export function register(program: Command): void {
  const guard = program
    .command('guard')
    .summary('the QoS guard window: no deploys while the fleet recovers')
    .description(
      'Lock after a rollback; release when the minimum duration has passed AND K consecutive evaluations ' +
        'found every SLO healthy. Missing data, Prometheus errors and empty results keep it locked.',
    );

  common(guard.command('status').description('exit 0 when unlocked, 1 when locked, 2 on usage errors'))
    // qos_guard.sh took `status [min]` and judged expiry by it; the lock now stores its own end.
    .argument('[minutes]', 'ignored (qos_guard.sh compatibility): the lock stores its own duration')
    .action(async (_minutes: string | undefined, flags: CommonFlags) => {
      const { ctx } = await setup(flags);
      const status = await guardStatus(ctx);
      if (flags.json) json(statusJson(status));
      else formatStatus(status).forEach(out);
      process.exitCode = status.locked ? 1 : 0;
    });

  common(guard.command('lock').description('lock the guard window (extends a live lock, never shortens it)'))
    .argument(
      '[duration]',
      'minimum duration, e.g. 15m or 1h; a bare number is minutes, as in qos_guard.sh (default guard.defaultDuration, 15m)',
    )
    .requiredOption('--reason <text>', 'why (recorded in the lock and its history)')
    .option('--release <mode>', 'slo (minimum + healthy SLOs, default) or time (expires at the end)')
    .option('--healthy-evaluations <k>', 'consecutive healthy evaluations needed (default 3)')
    .option('--max-duration <duration>', 'slo mode: expire even without healthy SLOs after this long')
    .action(
      async (
        durationArg: string | undefined,
        flags: CommonFlags & {
          reason: string;
          release?: string;
          healthyEvaluations?: string;
          maxDuration?: string;
        },
      ) => {
        const { ctx, config } = await setup(flags);
        const mode = flags.release ?? config.release.mode;
        if (mode !== 'slo' && mode !== 'time')
          throw new UsageError(`--release: "${mode}" must be slo or time`);
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
      },
    );

  common(guard.command('unlock').description('remove the lock once its release criteria hold, or --force it'))
    .option('--force', 'override the release criteria (needs --reason; recorded)')
    .option('--reason <text>', 'why (required with --force)')
    .action(async (flags: CommonFlags & { force?: boolean; reason?: string }) => {
      const { ctx } = await setup(flags);
      const r = await unlockGuard(ctx, { force: flags.force, reason: flags.reason });
      if (flags.json) json({ unlocked: true, forced: r.forced, removed: r.removed ?? null });
      else out(r.removed ? `unlocked${r.forced ? ' (forced, recorded)' : ''}` : 'was not locked');
    });

  common(guard.command('check').description('evaluate every SLO once; exit 0 when all are healthy, else 1'))
    .option('--prometheus-url <url>', 'Prometheus base URL (default $PROMETHEUS_URL, guard.provider)')
    .option('--window <duration>', 'SLI window (default guard.window, 5m)')
    .action(async (flags: CommonFlags & { prometheusUrl?: string; window?: string }) => {
      const { config } = await setup(flags);
      const provider = createGuardProvider(config, { prometheusUrl: flags.prometheusUrl, env: process.env });
      const windowMs = duration('--window', flags.window) ?? config.window;
      const evaluation = await evaluateSlos(provider, guardChecks(config), { windowMs });
      if (flags.json) json(evaluationJson(evaluation));
      else formatEvaluation(evaluation).forEach(out);
      process.exitCode = evaluation.healthy ? 0 : 1;
    });

  common(
    guard.command('watch').description('evaluate on an interval and release the lock when the criteria hold'),
  )
    .option('--prometheus-url <url>', 'Prometheus base URL (default $PROMETHEUS_URL, guard.provider)')
    .option('--interval <duration>', 'time between evaluations (default guard.evaluationInterval, 1m)')
    .option('--window <duration>', 'SLI window (default guard.window, 5m)')
    .option('--once', 'one evaluation, then exit 0 if unlocked, 1 if still locked (for cron and timers)')
    .option('--exit-when-unlocked', 'exit 0 once the guard is unlocked instead of idling')
    .option('--slack-thread <ref>', 'post briefings as replies in this Slack thread (CHANNEL:TS)')
    .option(
      '--slack-channel <id>',
      'open a briefing thread per lock in this channel (default guard.briefing.channel)',
    )
    .option(
      '--brief-every <duration>',
      'time between briefings while locked (default guard.briefing.every, 5m)',
    )
    .action(
      async (
        flags: CommonFlags & {
          prometheusUrl?: string;
          interval?: string;
          window?: string;
          once?: boolean;
          exitWhenUnlocked?: boolean;
          slackThread?: string;
          slackChannel?: string;
          briefEvery?: string;
        },
      ) => {
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
      },
    );
}

/**
 * The Slack briefing of `guard watch`: replies in a given thread, or one new thread per lock in a
 * channel, through the project's thread engine (rate limits, retries, escaping). A Slack failure
 * never stops the watch: briefings stay queued in the store and go out when Slack answers.
 */
async function openBriefing(
  full: LoadedConfig,
  config: GuardConfig,
  ctx: GuardContext,
  flags: { slackThread?: string; slackChannel?: string; briefEvery?: string },
) {
  const ref = flags.slackThread ? parseThreadRef(flags.slackThread, '--slack-thread') : undefined;
  const channel = flags.slackChannel ?? config.briefing.channel;
  if (flags.slackChannel && !CHANNEL_ID.test(flags.slackChannel)) {
    throw new UsageError(`--slack-channel: "${flags.slackChannel}" ${CHANNEL_ID_PROBLEM}`);
  }
  if (!ref && !channel) return undefined;
  const everyMs = duration('--brief-every', flags.briefEvery) ?? config.briefing.every;
  const session = await SlackSession.open(full);
  // One thread per lock in channel mode; the id is known before the thread exists.
  const lockNow = async () => (await guardStatus(ctx)).lock;
  const threadId = async () =>
    ref ? session.idOf(ref) : session.idOfNew(`guard:${(await lockNow())?.id ?? 'none'}`);
  let opened = false;
  const post = async (b: Briefing) => {
    if (!opened) {
      const lock = await lockNow();
      if (ref) await session.adopt(ref);
      else
        await session.open(
          channel as string,
          `QoS guard window${lock ? `: locked (${lock.reason})` : ''}`,
          `guard:${lock?.id ?? 'none'}`,
        );
      opened = true;
    }
    await session.reply(await threadId(), { text: b.text });
  };
  return {
    sink: briefingSink({ everyMs, post, lastBriefingAt: async () => session.lastReplyAt(await threadId()) }),
    close: async () => {
      if (!(await session.flush(30_000)))
        process.stderr.write('threader: some briefings are still queued for Slack\n');
      await session.close();
    },
  };
}
