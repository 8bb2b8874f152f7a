import type { Command } from 'commander';
import { loadConfig, readConfigFile } from '../config/load.js';
import { loadDeploySpec } from '../deploy/spec.js';
import { UsageError } from '../errors.js';

type Kind = 'auto' | 'threader' | 'deploy';
const KINDS: readonly Kind[] = ['auto', 'threader', 'deploy'];

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
      if (!KINDS.includes(flags.kind as Kind))
        throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
      let failed = 0;
      for (const file of files) {
        try {
          process.stdout.write(`Checking '${file}'  SUCCESS\n  ${await check(file, flags.kind as Kind)}\n`);
        } catch (err) {
          failed++;
          process.stdout.write(`Checking '${file}'  FAILED: ${(err as Error).message}\n`);
        }
      }
      if (failed > 0) process.exitCode = 1;
    });
}

async function check(file: string, kind: Kind): Promise<string> {
  const isDeploy = kind === 'deploy' || (kind === 'auto' && 'environments' in (await readConfigFile(file)));
  if (isDeploy) {
    const spec = await loadDeploySpec(file);
    const envs = Object.values(spec.environments).map(
      (e) =>
        `${e.name} (${e.instances.length} instance(s), ${e.strategy.default}${e.approval.required ? ', approval required' : ''})`,
    );
    return `deploy: service ${spec.service}, environments ${envs.join(', ')}`;
  }
  const c = await loadConfig({ configPath: file, env: {} });
  return `threads: key=${c.threads.key}, default channel ${c.slack.channel}, ${c.routes.length} route(s)`;
}
