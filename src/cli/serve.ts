import type { Command } from 'commander';

export interface ServeFlags {
  config?: string;
  port?: string;
  host?: string;
}

/** `threader serve`: the webhook receiver, thread engine, API and /metrics in one process. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('receive Alertmanager webhooks and keep one live Slack thread per alert group')
    .option('-c, --config <file>', 'threader.yaml (env overrides it)')
    .option('-p, --port <port>', 'listen port (overrides PORT)')
    .option('--host <host>', 'listen address (overrides HOST)')
    // Loaded only when serve runs: fastify, the stores and Slack would slow every other command.
    .action(async (opts: ServeFlags) => (await import('./serve-action.js')).serve(opts));
}
