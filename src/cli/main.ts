import { Command, CommanderError } from 'commander';
import { isAppError } from '../errors.js';
import { commands } from './commands.js';

/**
 * A reader that goes away (`threader deploy … 2>&1 | head -1`) makes the next write fail with EPIPE;
 * unhandled, that kills the process — a deployer dying mid-deploy with an instance out of nginx
 * (review R2 #15). Output nobody reads is dropped; the work goes on. Other stream errors still throw.
 */
export function ignoreEpipe(streams: NodeJS.EventEmitter[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (stream.listeners('error').includes(onStreamError)) continue;
    stream.on('error', onStreamError);
  }
}

function onStreamError(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
}

interface Output {
  writeOut(s: string): void;
  writeErr(s: string): void;
}

const toProcess: Output = {
  writeOut: (s) => process.stdout.write(s),
  writeErr: (s) => process.stderr.write(s),
};

/** The whole CLI as commander sees it; `main` runs it, `parseOnly` only parses with it. */
async function buildProgram(output: Output): Promise<Command> {
  const program = new Command('threader')
    .description(
      'Alert Threader: Alertmanager → one live Slack thread per alert group; safe deploys behind nginx; retry and the QoS guard window',
    )
    .version(await readVersion(), '-V, --version')
    // Options after a subcommand are the subcommand's: `threader plan --version v2` is plan's --version.
    .enablePositionalOptions()
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput(output);
  for (const register of commands) register(program);
  return program;
}

/**
 * CLI entry. Each command lives in its own file under cli/ and exports `register(program)`;
 * the list is in cli/commands.ts. Commands set `process.exitCode` or return through
 * `exitWith()`; errors map to exit codes here, once: AppError.exitCode, usage errors 2.
 */
export async function main(argv: string[]): Promise<number | undefined> {
  const program = await buildProgram(toProcess);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return undefined;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every other commander complaint is a usage error.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (isAppError(err)) {
      process.stderr.write(`threader: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

export type ParseResult = { ok: true; command: string } | { ok: false; error: string };

/** Thrown by the preAction hook: parsing got as far as an action, which must not run. */
class StopBeforeAction extends Error {
  constructor(readonly command: string) {
    super('parsed');
  }
}

/**
 * Parses `argv` exactly as `threader` would (the same program: unknown options, missing required
 * options and arguments, and values that are not what the option takes — a status, a duration, a
 * thread reference, a channel ID, a link, retry's ATTEMPTS and BASE — are refused) and stops before
 * any action runs: no I/O, no Slack, no deploy. The pipelines' tests check every `threader …` line
 * of the CI files with it. What an action reads from the environment instead of a flag is not
 * checked here.
 */
export async function parseOnly(argv: string[]): Promise<ParseResult> {
  let said = '';
  const program = await buildProgram({ writeOut: () => undefined, writeErr: (s) => void (said += s) });
  // On every command, after its own hooks (retry checks its positionals in one): ancestors' hooks
  // run first, so a hook on the root would stop before the command's own checks.
  for (const command of allCommands(program))
    command.hook('preAction', (self, action) => {
      if (self !== action) return;
      const path: string[] = [];
      for (let c: Command | null = action; c && c !== program; c = c.parent) path.unshift(c.name());
      throw new StopBeforeAction(path.join(' '));
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { ok: false, error: 'no command ran (a command group without its subcommand?)' };
  } catch (err) {
    if (err instanceof StopBeforeAction) return { ok: true, command: err.command };
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return { ok: true, command: err.code };
      return { ok: false, error: said.trim() || err.message };
    }
    // A command's own check before its action (main() says it the same way, exit 2).
    if (isAppError(err)) return { ok: false, error: `threader: ${err.message}` };
    throw err;
  }
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

async function readVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
