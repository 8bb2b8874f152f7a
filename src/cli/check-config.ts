import type { Command } from 'commander';
import { UsageError } from '../errors.js';

export type ConfigKind = 'auto' | 'threader' | 'deploy';
const KINDS: readonly ConfigKind[] = ['auto', 'threader', 'deploy'];

/**
 * `threader check-config FILE…`: validates config files the way `amtool check-config` does —
 * one verdict per file, problems named by path, exit 0 only when every file is valid. The
 * environment is ignored on purpose: this checks the file as written. A file with a top-level
 * `environments:` key is a deploy config (docs/deploy.md) unless --kind says otherwise.
 */
export function register(program: Command): void {
  program
    .command('check-config')
    .description(
      'validate threader.yaml and deploy config files (exit 0 when all are valid, 1 when one is not)',
    )
    .argument('<files...>', 'config files to check')
    .option(
      '--kind <kind>',
      `what the files are: ${KINDS.join(', ')} (auto: a top-level environments: key means deploy)`,
      'auto',
    )
    .action(async (files: string[], flags: { kind: string }) => {
      if (!KINDS.includes(flags.kind as ConfigKind))
        throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
      // The schemas (zod, yaml) load only when a file is checked.
      const { checkConfigFiles } = await import('./check-config-action.js');
      if ((await checkConfigFiles(files, flags.kind as ConfigKind)) > 0) process.exitCode = 1;
    });
}
