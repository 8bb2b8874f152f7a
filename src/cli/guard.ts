import type { Command } from 'commander';
import { parseDuration } from '../config/duration.js';
import { UsageError } from '../errors.js';
import { parseSlackThreadFlag } from '../notify/slack-flags.js';
import { checked } from './option-args.js';

export interface CommonFlags {
  lockFile?: string;
  config?: string;
  json?: boolean;
  by?: string;
}

export interface LockFlags extends CommonFlags {
  reason: string;
  release?: string;
  healthyEvaluations?: string;
  maxDuration?: string;
}

export interface UnlockFlags extends CommonFlags {
  force?: boolean;
  reason?: string;
}

export interface CheckFlags extends CommonFlags {
  prometheusUrl?: string;
  window?: string;
}

export interface WatchFlags extends CheckFlags {
  interval?: string;
  once?: boolean;
  exitWhenUnlocked?: boolean;
  slackThread?: string;
  slackChannel?: string;
  briefEvery?: string;
}

export function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`${flag}: "${text}" is not a duration (e.g. 30s, 15m, 1h)`);
  return ms;
}

/** `lock 5` meant five minutes in the original qos_guard.sh: a bare number stays minutes here. */
export function lockDuration(text: string | undefined): number | undefined {
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

/** A flag's value checked as the line is parsed (option-args.ts); the action checks it again. */
const durationOf = (flag: string) => checked((text) => duration(flag, text));

// Each subcommand's implementation (config schema, Prometheus, Slack) loads only when it runs.
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
    .action(async (_minutes: string | undefined, flags: CommonFlags) =>
      (await import('./guard-action.js')).showGuardStatus(flags),
    );

  common(guard.command('lock').description('lock the guard window (extends a live lock, never shortens it)'))
    .argument(
      '[duration]',
      'minimum duration, e.g. 15m or 1h; a bare number is minutes, as in qos_guard.sh (default guard.defaultDuration, 15m)',
    )
    .requiredOption('--reason <text>', 'why (recorded in the lock and its history)')
    .option('--release <mode>', 'slo (minimum + healthy SLOs, default) or time (expires at the end)')
    .option('--healthy-evaluations <k>', 'consecutive healthy evaluations needed (default 3)')
    .option(
      '--max-duration <duration>',
      'slo mode: expire even without healthy SLOs after this long',
      durationOf('--max-duration'),
    )
    .action(async (durationArg: string | undefined, flags: LockFlags) =>
      (await import('./guard-action.js')).lock(durationArg, flags),
    );

  common(guard.command('unlock').description('remove the lock once its release criteria hold, or --force it'))
    .option('--force', 'override the release criteria (needs --reason; recorded)')
    .option('--reason <text>', 'why (required with --force)')
    .action(async (flags: UnlockFlags) => (await import('./guard-action.js')).unlock(flags));

  common(guard.command('check').description('evaluate every SLO once; exit 0 when all are healthy, else 1'))
    .option('--prometheus-url <url>', 'Prometheus base URL (default $PROMETHEUS_URL, guard.provider)')
    .option('--window <duration>', 'SLI window (default guard.window, 5m)', durationOf('--window'))
    .action(async (flags: CheckFlags) => (await import('./guard-action.js')).check(flags));

  common(
    guard.command('watch').description('evaluate on an interval and release the lock when the criteria hold'),
  )
    .option('--prometheus-url <url>', 'Prometheus base URL (default $PROMETHEUS_URL, guard.provider)')
    .option(
      '--interval <duration>',
      'time between evaluations (default guard.evaluationInterval, 1m)',
      durationOf('--interval'),
    )
    .option('--window <duration>', 'SLI window (default guard.window, 5m)', durationOf('--window'))
    .option('--once', 'one evaluation, then exit 0 if unlocked, 1 if still locked (for cron and timers)')
    .option('--exit-when-unlocked', 'exit 0 once the guard is unlocked instead of idling')
    .option(
      '--slack-thread <ref>',
      'post briefings as replies in this Slack thread (CHANNEL:TS)',
      // Empty is no thread (a pipeline's "$THREADER_SLACK_THREAD" before one was opened), as in the action.
      checked(parseSlackThreadFlag),
    )
    .option(
      '--slack-channel <id>',
      'open a briefing thread per lock in this channel (default guard.briefing.channel)',
    )
    .option(
      '--brief-every <duration>',
      'time between briefings while locked (default guard.briefing.every, 5m)',
      durationOf('--brief-every'),
    )
    .action(async (flags: WatchFlags) => (await import('./guard-action.js')).watch(flags));
}
