import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';

/**
 * `threader check-config FILE…`: validates config files the way `amtool check-config` does —
 * one verdict per file, problems named by path, exit 0 only when every file is valid. The
 * environment is ignored on purpose: this checks the file as written.
 */
export function register(program: Command): void {
  program
    .command('check-config')
    .description('validate threader.yaml files (exit 0 when all are valid, 1 when one is not)')
    .argument('<files...>', 'config files to check')
    .action(async (files: string[]) => {
      let failed = 0;
      for (const file of files) {
        try {
          const c = await loadConfig({ configPath: file, env: {} });
          process.stdout.write(
            `Checking '${file}'  SUCCESS\n  threads: key=${c.threads.key}, default channel ${c.slack.channel}, ${c.routes.length} route(s)\n`,
          );
        } catch (err) {
          failed++;
          process.stdout.write(`Checking '${file}'  FAILED: ${(err as Error).message}\n`);
        }
      }
      if (failed > 0) process.exitCode = 1;
    });
}
