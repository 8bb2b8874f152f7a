import { createApp } from '../app.js';
import { defaultChannel, loadConfig } from '../config/load.js';
import { displayStore } from '../store/open.js';
import type { ServeFlags } from './serve.js';

/** Runs `threader serve` until SIGINT/SIGTERM, then closes the app gracefully. */
export async function serve(opts: ServeFlags): Promise<void> {
  const env = { ...process.env };
  if (opts.port) env.PORT = opts.port;
  if (opts.host) env.HOST = opts.host;
  const config = await loadConfig({ configPath: opts.config ?? (env.THREADER_CONFIG || undefined), env });
  const app = await createApp(config);
  const { url } = await app.listen();
  banner(
    app.slackMode,
    url,
    config.store.db,
    defaultChannel(config),
    app.emulator?.url,
    Boolean(config.secrets.webhookToken),
  );
  app.logger.info({ url, slack: app.slackMode, store: app.store.kind }, 'threader serve started');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      app.logger.info({ signal }, 'shutting down');
      app.close().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

function banner(
  mode: string,
  url: string,
  db: string,
  channel: string,
  emulatorUrl: string | undefined,
  auth: boolean,
) {
  const lines = [
    `Alert Threader listening on ${url}`,
    `  webhook:  POST ${url}/webhook/alertmanager${auth ? ' (Authorization: Bearer required)' : ' (no token set: open to anyone who can reach it)'}`,
    `  dashboard: ${url}/`,
    `  threads:  ${url}/api/threads    health: ${url}/health    metrics: ${url}/metrics`,
    `  store:    ${displayStore(db)}`,
    mode === 'embedded'
      ? `  slack:    EMBEDDED LOCAL SLACK at ${emulatorUrl} (no SLACK_BOT_TOKEN set; nothing leaves this machine)\n            threads:  ${emulatorUrl?.replace(/\/api\/$/, '')}/_emulator/threads?channel=${encodeURIComponent(channel)}`
      : `  slack:    Slack Web API, default channel ${channel}`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}
