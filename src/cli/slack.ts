import type { Command } from 'commander';
import { checked, collectChecked } from './option-args.js';
import { parseChannel, parseLink, parseStatus, parseTimeout, requireText } from './slack-args.js';
import { parseThreadRef } from '../slack/thread-ref.js';

export interface SlackCommonFlags {
  config?: string;
  timeout?: string;
  json?: boolean;
}

export interface ThreadOpenFlags extends SlackCommonFlags {
  channel?: string;
  title?: string;
  key?: string;
  dotenv?: string;
}

export interface ThreadReplyFlags extends SlackCommonFlags {
  thread?: string;
  stage?: string;
  status?: string;
  text?: string;
  rollbackCommand?: string;
  link?: string[];
}

export interface NotifyFlags extends SlackCommonFlags {
  channel?: string;
  text?: string;
  link?: string[];
}

const EXIT_CODES =
  'Exit codes: 0 delivered, 1 not delivered within --timeout (it stays queued in THREADER_DB for ' +
  '`threader slack flush` or the next command), 2 usage, 3 Slack refused (invalid_auth, ' +
  'channel_not_found, … — a person must act).';

// Values are checked as the line is parsed (option-args.ts); the actions check them again, and
// what came from the environment instead.
const links = collectChecked(parseLink);
const channel = checked((text) => parseChannel('--channel', text));
const text = (flag: string) => checked((t) => requireText(flag, t));

function common(cmd: Command): Command {
  return cmd
    .option(
      '--timeout <duration>',
      'how long to wait for Slack before exiting 1, still queued (default 30s)',
      checked(parseTimeout),
    )
    .option(
      '--config <file>',
      'threader.yaml (default $THREADER_CONFIG); env SLACK_BOT_TOKEN(_FILE), THREADER_DB',
    )
    .option('--json', 'machine-readable output on stdout');
}

// The thread engine, the store and the Slack client load only when a subcommand runs.
export function register(program: Command): void {
  const slack = program
    .command('slack')
    .summary('Slack thread steps for CI pipelines (thread-open, thread-reply, notify, flush)')
    .description(
      'One Slack thread per pipeline run, through the same engine as `threader serve` (rate limits, ' +
        'retries, escaping, a durable outbox). The thread reference CHANNEL:TS is a printable string: ' +
        'pass it between jobs.\n' +
        EXIT_CODES,
    );

  common(
    slack
      .command('thread-open')
      .summary('post a thread parent and print its reference CHANNEL:TS')
      .description(
        'post the thread parent, wait for its ts and print CHANNEL:TS; under GitHub Actions also ' +
          'append thread=REF to $GITHUB_OUTPUT. ' +
          EXIT_CODES,
      ),
  )
    .option('--channel <id>', 'Slack channel ID (default $SLACK_CHANNEL)', channel)
    .requiredOption('--title <text>', 'the parent message (plain text; escaped)', text('--title'))
    .option(
      '--key <key>',
      'the same key opens the same thread (default: the CI run: $GITHUB_RUN_ID + attempt, $CI_PIPELINE_ID)',
    )
    .option('--dotenv <file>', 'append THREADER_SLACK_THREAD=REF to this file (GitLab dotenv artifact)')
    .action(async (flags: ThreadOpenFlags) => (await import('./slack-action.js')).threadOpen(flags));

  common(
    slack
      .command('thread-reply')
      .summary('reply a stage result into the thread (failure: also in the channel)')
      .description(
        `reply a stage result into the thread (a failure is also shown in the channel). ${EXIT_CODES}`,
      ),
  )
    .option(
      '--thread <ref>',
      'CHANNEL:TS from thread-open (default $THREADER_SLACK_THREAD)',
      checked((ref) => parseThreadRef(ref, '--thread')),
    )
    .requiredOption('--stage <name>', 'the pipeline stage or job', text('--stage'))
    .requiredOption('--status <status>', 'success, failure, cancelled or skipped', checked(parseStatus))
    .option('--text <text>', 'more detail (plain text; escaped)')
    .option('--rollback-command <cmd>', 'a ready-to-run command, shown as a code block')
    .option('--link <name=url>', 'a link under the reply (repeatable; http(s) only)', links)
    .action(async (flags: ThreadReplyFlags) => (await import('./slack-action.js')).threadReply(flags));

  common(
    slack
      .command('notify')
      .summary('post one message, e.g. a summary')
      .description(`post one message (not a thread), e.g. a summary. ${EXIT_CODES}`),
  )
    .option('--channel <id>', 'Slack channel ID (default $SLACK_CHANNEL)', channel)
    .requiredOption('--text <text>', 'the message (plain text; escaped)', text('--text'))
    .option('--link <name=url>', 'a link under the message (repeatable; http(s) only)', links)
    .action(async (flags: NotifyFlags) => (await import('./slack-action.js')).notify(flags));

  common(
    slack
      .command('flush')
      .summary('deliver what earlier commands left queued')
      .description(
        'deliver what earlier commands left queued in THREADER_DB (CI steps, deploy threads); with ' +
          'THREADER_DEPLOY_DB, deploy threads posted only now are linked on their deploy records. ' +
          EXIT_CODES,
      ),
  ).action(async (flags: SlackCommonFlags) => (await import('./slack-action.js')).flush(flags));
}
