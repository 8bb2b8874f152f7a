import type { Command } from 'commander';
import type { NarrationFlags } from '../notify/deploy-slack.js';
import type { SessionFlags } from './deploy-run.js';
import { parseSlackThreadFlag, parseSlackWait } from '../notify/slack-flags.js';
import { parseStrategy } from './plan.js';
import { checked } from './option-args.js';
import { STRATEGIES } from './plan.js';

export interface DeployFlags extends SessionFlags, NarrationFlags {
  version?: string;
  to?: string;
  strategy?: string;
  reason?: string;
  force?: boolean;
  resume?: string;
  json?: boolean;
  observe?: boolean;
}

export interface RollbackFlags extends SessionFlags, NarrationFlags {
  to?: string;
  printCommand?: boolean;
  reason?: string;
  force?: boolean;
  json?: boolean;
  observe?: boolean;
}

/** The Slack thread options of deploy and rollback (notify/deploy-slack.ts). */
function slackOptions(cmd: Command): Command {
  return cmd
    .option(
      '--slack-thread <ref>',
      "narrate in this Slack thread (CHANNEL:TS from `threader slack thread-open`; default $THREADER_SLACK_THREAD), else a new thread in the environment's slack.channel or SLACK_CHANNEL",
      checked(parseSlackThreadFlag),
    )
    .option(
      '--slack-wait <duration>',
      'at the end, wait at most this long for the Slack thread to catch up (default 30s); the rest stays queued for `threader slack flush`',
      checked(parseSlackWait),
    )
    .option('--no-slack', 'no Slack thread for this deploy');
}

/**
 * `threader deploy`: plan, check (one deploy per environment, guard window), run. Exit codes:
 * 0 succeeded (or nothing to do), 1 failed / rolled back / aborted, 2 usage or config error,
 * 3 refused (another deploy holds the environment, the guard is locked, the deploy is driven
 * elsewhere). An orphaned deploy (its executor died) is never taken over silently: the refusal
 * says to run `threader deploy --resume ID`, which continues it from its saved step.
 */
export function register(program: Command): void {
  const deploy = program
    .command('deploy')
    .summary('roll a version out to an environment (rolling, canary, blue-green)')
    .requiredOption('--config <file>', 'deploy config (YAML)')
    .requiredOption('--env <name>', 'environment')
    .argument('[version]', 'version to deploy (or --version / --to; required unless --resume)')
    .option('--version <v>', 'version to deploy')
    .option('--to <v>', 'version to deploy (same as --version)')
    .option(
      '--strategy <s>',
      `override the environment's strategy (${STRATEGIES.join(', ')})`,
      checked(parseStrategy),
    )
    .option('--reason <text>', 'why (recorded; required with --force)')
    .option('--force', 'start although the guard window is locked (needs --reason; recorded)')
    .option('--resume <id>', 'take over a deploy whose executor is gone and continue it')
    .option(
      '--observe',
      'plan from what the drivers and nginx report now, not the records (automatic after a failed deploy)',
    )
    .option('--by <name>', 'who deploys (default $THREADER_ACTOR, $GITHUB_ACTOR, $GITLAB_USER_LOGIN, $USER)')
    .option('--state-db <path>', 'deploy records (default: stateDb of the config)')
    .option('--json', 'print only the final deploy record as JSON on stdout');
  slackOptions(deploy)
    // The executor, drivers, nginx and the metric providers load only when a deploy runs.
    .action(async (positional: string | undefined, flags: DeployFlags) =>
      (await import('./deploy-action.js')).runDeploy(positional, flags),
    );

  const rollback = program
    .command('rollback')
    .summary('roll an environment back to its previous known-good version (fast path: no analysis)')
    .description(
      'Rolls back to the previous known-good version as a new, audited deploy (no analysis). While a ' +
        'deploy of the environment runs, it is aborted instead (recorded with who and why) and its ' +
        'revert is the rollback: for blue-green within the scale-down delay, one nginx switch back.',
    )
    .requiredOption('--config <file>', 'deploy config (YAML)')
    .requiredOption('--env <name>', 'environment')
    .option(
      '--to <v>',
      'version to go back to (default: the newest known-good one before the current, skipping rollbacks and what they undid)',
    )
    .option('--reason <text>', 'why (recorded; required with --force)')
    .option('--force', 'start although the guard window is locked (needs --reason; recorded)')
    .option('--by <name>', 'who rolls back')
    .option('--state-db <path>', 'deploy records (default: stateDb of the config)')
    .option('--json', 'print only the final deploy record as JSON on stdout')
    .option('--observe', 'plan from what the drivers and nginx report now (automatic after a failed deploy)')
    .option(
      '--print-command',
      'print this rollback as a shell command line (each value quoted) and exit; nothing runs',
    );
  slackOptions(rollback).action(async (flags: RollbackFlags) =>
    (await import('./deploy-action.js')).runRollback(flags),
  );
}
