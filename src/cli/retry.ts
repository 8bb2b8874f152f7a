import { Command, Option } from 'commander';
import { parseDuration } from '../config/duration.js';
import { UsageError } from '../errors.js';
import type { CommandRetryOptions } from '../retry/command-retry.js';
import type { CommandSpec } from '../retry/attempt.js';
import type { RetryPolicy } from '../retry/policy.js';
import { checked } from './option-args.js';

/** Defaults of the original `retry_backoff.sh 3 5 -- cmd` form. */
const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BASE_MS = 5_000;
const DEFAULT_MAX_DELAY_MS = 5 * 60_000;
const DEFAULT_KILL_AFTER_MS = 5_000;

export interface RetryFlags {
  attempts?: string;
  base?: string;
  maxDelay?: string;
  jitter?: string;
  timeout?: string;
  deadline?: string;
  retryOn?: string;
  killAfter?: string;
  quiet?: boolean;
}

export interface RetryInvocation {
  spec: CommandSpec;
  options: Omit<CommandRetryOptions, 'onAttempt'>;
  quiet: boolean;
}

function duration(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`${flag}: "${text}" is not a duration (e.g. 500ms, 5s, 2m)`);
  return ms;
}

function positiveInt(flag: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`${flag}: "${text}" is not a whole number ≥ 1`);
  return Number(text);
}

/** "1,75,120-125" → {1, 75, 120…125}. */
export function parseExitCodes(text: string): Set<number> {
  const codes = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part);
    const from = Number(m?.[1]);
    const to = Number(m?.[2] ?? m?.[1]);
    if (!m || from > to || to > 255)
      throw new UsageError(`--retry-on: "${part}" is not an exit code or range (0-255)`);
    for (let c = from; c <= to; c++) codes.add(c);
  }
  return codes;
}

/**
 * Turns what commander parsed into a run. `positional` holds ATTEMPTS and BASE (the original
 * form) — everything before `--`; `command` is everything after it, untouched.
 */
export function parseRetryInvocation(
  positional: string[],
  command: string[],
  flags: RetryFlags,
): RetryInvocation {
  if (command.length === 0)
    throw new UsageError('no command: usage is threader retry [ATTEMPTS [BASE]] -- CMD [ARGS…]');
  if (positional.length > 2)
    throw new UsageError(`unexpected "${positional[2]}" before --; the command goes after --`);
  const [attemptsArg, baseArg] = positional;
  if (attemptsArg !== undefined && flags.attempts !== undefined)
    throw new UsageError('give ATTEMPTS or --attempts, not both');
  if (baseArg !== undefined && flags.base !== undefined)
    throw new UsageError('give BASE or --base, not both');
  const attemptsText = attemptsArg ?? flags.attempts;
  const jitter = flags.jitter ?? 'none';
  if (jitter !== 'full' && jitter !== 'none')
    throw new UsageError(`--jitter: "${jitter}" must be full or none`);
  const policy: RetryPolicy = {
    attempts: attemptsText === undefined ? DEFAULT_ATTEMPTS : positiveInt('ATTEMPTS', attemptsText),
    baseMs: duration(baseArg !== undefined ? 'BASE' : '--base', baseArg ?? flags.base) ?? DEFAULT_BASE_MS,
    maxDelayMs: duration('--max-delay', flags.maxDelay) ?? DEFAULT_MAX_DELAY_MS,
    jitter,
  };
  const timeoutMs = duration('--timeout', flags.timeout);
  const deadlineMs = duration('--deadline', flags.deadline);
  if (timeoutMs === 0 || deadlineMs === 0)
    throw new UsageError('--timeout and --deadline must be longer than 0');
  const [cmd, ...args] = command as [string, ...string[]];
  return {
    spec: { command: cmd, args },
    options: {
      policy,
      timeoutMs,
      deadlineMs,
      retryOn: flags.retryOn !== undefined ? parseExitCodes(flags.retryOn) : undefined,
      killGraceMs: duration('--kill-after', flags.killAfter) ?? DEFAULT_KILL_AFTER_MS,
    },
    quiet: flags.quiet === true,
  };
}

function invocationOf(cmd: Command): RetryInvocation {
  const operands = (cmd.processedArgs[0] as string[] | undefined) ?? [];
  const { positional, command } = splitAtSeparator(cmd, operands);
  return parseRetryInvocation(positional, command, cmd.opts<RetryFlags>());
}

/**
 * Commander drops the `--` separator, so the split between ATTEMPTS/BASE and the command is
 * recovered from the root's raw argv: everything after the first `--` is the command.
 */
function splitAtSeparator(cmd: Command, operands: string[]): { positional: string[]; command: string[] } {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  const raw = (root as unknown as { rawArgs?: string[] }).rawArgs ?? [];
  const sep = raw.indexOf('--');
  if (sep < 0)
    throw new UsageError('put the command after --: threader retry [ATTEMPTS [BASE]] -- CMD [ARGS…]');
  const tail = raw.slice(sep + 1);
  const positional = operands.slice(0, operands.length - tail.length);
  if (operands.slice(positional.length).join('\0') !== tail.join('\0')) {
    throw new UsageError('could not tell the command apart from the options; put the command after --');
  }
  return { positional, command: tail };
}

/** Flag values, checked as the line is parsed; the same rules parseRetryInvocation applies. */
const durationOf = (flag: string) => checked((text) => duration(flag, text));
const positiveDurationOf = (flag: string) =>
  checked((text) => {
    if (duration(flag, text) === 0) throw new UsageError(`${flag} must be longer than 0`);
  });

export function register(program: Command): void {
  program
    .command('retry')
    .summary('run a command with exponential-backoff retries')
    .description(
      'Runs CMD until it succeeds, waiting BASE·2^(i−1) after failed attempt i (capped at --max-delay).\n' +
        'Exits with the last attempt’s own exit code (124 when --timeout killed it), 0 on success, 2 on usage errors.',
    )
    .usage('[options] [ATTEMPTS [BASE]] -- CMD [ARGS...]')
    .argument('[args...]', 'ATTEMPTS and BASE (seconds or a duration), then -- CMD [ARGS...]')
    .option(
      '--attempts <n>',
      `total attempts including the first (default ${DEFAULT_ATTEMPTS})`,
      checked((n) => positiveInt('--attempts', n)),
    )
    .option(
      '--base <duration>',
      'wait after the first failure, doubled after each one (default 5s)',
      durationOf('--base'),
    )
    .option('--max-delay <duration>', 'longest single wait (default 5m)', durationOf('--max-delay'))
    .addOption(
      new Option('--jitter <mode>', 'full (uniform in [0, delay)) or none (default none)').choices([
        'full',
        'none',
      ]),
    )
    .option(
      '--timeout <duration>',
      'per attempt: kill the attempt’s process tree and count it as exit 124',
      positiveDurationOf('--timeout'),
    )
    .option(
      '--deadline <duration>',
      'for the whole run: no attempt starts after it, a running one is killed',
      positiveDurationOf('--deadline'),
    )
    .option(
      '--retry-on <codes>',
      'exit codes worth another attempt, e.g. 1,75,120-125 (default: any non-zero)',
      checked(parseExitCodes),
    )
    .option(
      '--kill-after <duration>',
      'after a timeout, SIGKILL what is left after this long (default 5s)',
      durationOf('--kill-after'),
    )
    .option('-q, --quiet', 'no attempt log on stderr')
    // ATTEMPTS and BASE are told apart from the command only by `--`, which commander drops before
    // an argument parser could see it: checked here, before any action (and by parseOnly).
    .hook('preAction', (cmd) => void invocationOf(cmd))
    .action(async (_operands: string[], _flags: RetryFlags, cmd: Command) => {
      const invocation = invocationOf(cmd);
      // The child-process machinery loads only once the invocation is known to be valid.
      const { runRetry } = await import('./retry-action.js');
      process.exitCode = await runRetry(invocation);
    });
}
