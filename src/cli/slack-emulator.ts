import type { Command } from 'commander';
import { type SlackEmulatorFlags, emulatorOptionsFromFlags } from '../emulator/cli-options.js';
import { startSlackEmulator } from '../emulator/index.js';

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
    .action(async (flags: SlackEmulatorFlags) => {
      const options = emulatorOptionsFromFlags(flags);
      const emu = await startSlackEmulator(options);
      process.stdout.write(`${emu.url}\n`);
      process.stderr.write(
        [
          `Slack emulator listening: point slackApiUrl at ${emu.url}`,
          `  tokens:      ${options.token ? 'only the one given with --token' : 'any xoxb- token'}`,
          `  rate limits: ${options.rateLimits === 'off' ? 'off' : "Slack's documented tiers (429 + Retry-After)"}`,
          `  inspect:     ${emu.baseUrl}_emulator/channels   messages?channel=C…   threads?channel=C…   calls`,
          `  control:     POST ${emu.baseUrl}_emulator/faults | reset | channels/archive | messages/edit-window`,
          `  buttons:     POST ${emu.baseUrl}_emulator/interactivity {requestUrl, signingSecret}, then`,
          `               POST ${emu.baseUrl}_emulator/actions {channel, ts, action_id, value?, user?} (signed click); GET responses`,
        ].join('\n') + '\n',
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          emu.close().then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
