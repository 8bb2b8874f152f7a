import type { Command } from 'commander';
import type { SlackEmulatorFlags } from '../emulator/cli-options.js';

/**
 * `threader slack-emulator`: a local Slack Web API for demos, CI pipelines and the benchmark.
 * Prints the API URL alone on stdout (so scripts can capture it) and runs until SIGINT/SIGTERM.
 */
export function register(program: Command): void {
  program
    .command('slack-emulator')
    .description('run a local Slack Web API emulator (chat.*, conversations.*, reactions.add, auth.test)')
    .option('-p, --port <port>', 'listen port; 0 picks a free one', '0')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--no-rate-limits', "never answer 429 (Slack's documented limits are on by default)")
    .option('--token <token>', 'accept only this bot token (default: any xoxb- token)')
    // The emulator's HTTP server loads only when this command runs.
    .action(async (flags: SlackEmulatorFlags) =>
      (await import('./slack-emulator-action.js')).runEmulator(flags),
    );
}
