import type { Command } from 'commander';

export interface StatusFlags {
  config: string;
  env?: string;
  stateDb?: string;
  limit?: string;
  json?: boolean;
}

/**
 * `threader status [ID]`: the active deploys (or the given one) and the latest finished ones.
 * Exit 0; 2 when the ID is unknown.
 */
export function register(program: Command): void {
  program
    .command('status')
    .summary('deploys: what runs now, and the latest ones')
    .argument('[id]', 'one deploy')
    .requiredOption('--config <file>', 'deploy config (YAML)')
    .option('--env <name>', 'only this environment')
    .option('--limit <n>', 'how many finished deploys to list', '5')
    .option('--state-db <path>', 'deploy records (default: stateDb of the config)')
    .option('--json', 'machine-readable output')
    // The deploy store loads only when the command runs.
    .action(async (id: string | undefined, flags: StatusFlags) =>
      (await import('./deploy-status-action.js')).showStatus(id, flags),
    );
}
