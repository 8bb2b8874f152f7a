import { type SlackEmulatorFlags, emulatorOptionsFromFlags } from '../emulator/cli-options.js';
import { startSlackEmulator } from '../emulator/index.js';

/** Runs the emulator until SIGINT/SIGTERM; its API URL alone goes to stdout. */
export async function runEmulator(flags: SlackEmulatorFlags): Promise<void> {
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
}
