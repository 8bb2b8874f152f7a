import { loadConfig, readConfigFile } from '../config/load.js';
import { loadDeploySpec } from '../deploy/spec.js';
import type { ConfigKind } from './check-config.js';

/** Prints one verdict per file on stdout; returns how many files are not valid. */
export async function checkConfigFiles(files: string[], kind: ConfigKind): Promise<number> {
  let failed = 0;
  for (const file of files) {
    try {
      process.stdout.write(`Checking '${file}'  SUCCESS\n  ${await check(file, kind)}\n`);
    } catch (err) {
      failed++;
      process.stdout.write(`Checking '${file}'  FAILED: ${(err as Error).message}\n`);
    }
  }
  return failed;
}

async function check(file: string, kind: ConfigKind): Promise<string> {
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
