import type { Command } from 'commander';
import { planning } from '../deploy/compose-plan.js';
import { createDeploy, takeOver } from '../deploy/executor-start.js';
import { rollbackTarget } from '../deploy/rollback-target.js';
import type { StrategyName } from '../deploy/types.js';
import { UsageError } from '../errors.js';
import {
  abortActive,
  driveDeploy,
  openSession,
  pickVersion,
  recordJson,
  resumedFleet,
  startingFleet,
  type SessionFlags,
} from './deploy-run.js';

interface DeployFlags extends SessionFlags {
  version?: string;
  to?: string;
  strategy?: string;
  reason?: string;
  force?: boolean;
  resume?: string;
  json?: boolean;
  observe?: boolean;
}

const STRATEGIES: readonly StrategyName[] = ['rolling', 'canary', 'blue-green'];

/**
 * `threader deploy`: plan, check (one deploy per environment, guard window), run. Exit codes:
 * 0 succeeded (or nothing to do), 1 failed / rolled back / aborted, 2 usage or config error,
 * 3 refused (another deploy holds the environment, the guard is locked, the deploy is driven
 * elsewhere). An orphaned deploy (its executor died) is never taken over silently: the refusal
 * says to run `threader deploy --resume ID`, which continues it from its saved step.
 */
export function register(program: Command): void {
  program
    .command('deploy')
    .summary('roll a version out to an environment (rolling, canary, blue-green)')
    .requiredOption('--config <file>', 'deploy config (YAML)')
    .requiredOption('--env <name>', 'environment')
    .argument('[version]', 'version to deploy (or --version / --to; required unless --resume)')
    .option('--version <v>', 'version to deploy')
    .option('--to <v>', 'version to deploy (same as --version)')
    .option('--strategy <s>', `override the environment's strategy (${STRATEGIES.join(', ')})`)
    .option('--reason <text>', 'why (recorded; required with --force)')
    .option('--force', 'start although the guard window is locked (needs --reason; recorded)')
    .option('--resume <id>', 'take over a deploy whose executor is gone and continue it')
    .option(
      '--observe',
      'plan from what the drivers and nginx report now, not the records (automatic after a failed deploy)',
    )
    .option('--by <name>', 'who deploys (default $THREADER_ACTOR, $GITHUB_ACTOR, $GITLAB_USER_LOGIN, $USER)')
    .option('--state-db <path>', 'deploy records (default: stateDb of the config)')
    .option('--json', 'print only the final deploy record as JSON on stdout')
    .action(async (positional: string | undefined, flags: DeployFlags) => {
      const version = pickVersion(positional, flags);
      if (!flags.resume && !version)
        throw new UsageError(
          'the version is required: threader deploy VERSION (or --version V, or --resume ID)',
        );
      if (flags.strategy && !STRATEGIES.includes(flags.strategy as StrategyName))
        throw new UsageError(`--strategy must be one of ${STRATEGIES.join(', ')}`);
      const s = await openSession(flags);
      try {
        const deps = { store: s.store, guard: s.guard, now: Date.now, host: s.host };
        if (flags.resume) {
          const record = await takeOver(flags.resume, deps, s.configPath);
          if (record.env !== s.env.name)
            throw new UsageError(`deploy ${record.id} belongs to ${record.env}, not ${s.env.name}`);
          process.exitCode = await driveDeploy(s, record, await resumedFleet(s, record), {
            json: !!flags.json,
          });
          return;
        }
        const { fleet, observed } = await startingFleet(s, !!flags.observe);
        if (observed && !flags.json)
          process.stderr.write(
            `fleet observed from the ${s.env.driver.type} driver and nginx: ${observed}\n`,
          );
        const plan = planning.plan(s.env, fleet, version as string, {
          ...(flags.strategy ? { strategy: flags.strategy as StrategyName } : {}),
        });
        if (plan.noop) {
          if (flags.json)
            process.stdout.write(`${JSON.stringify({ noop: true, env: s.env.name, version })}\n`);
          else
            process.stderr.write(`nothing to do: every instance of ${s.env.name} already runs ${version}\n`);
          return;
        }
        const record = await createDeploy(
          {
            service: s.spec.service,
            plan,
            by: s.actor,
            reason: flags.reason,
            force: flags.force,
            configPath: s.configPath,
            fleetBefore: fleet,
          },
          deps,
        );
        process.exitCode = await driveDeploy(s, record, fleet, { json: !!flags.json });
      } finally {
        await s.store.close();
      }
    });

  program
    .command('rollback')
    .summary('roll an environment back to its previous known-good version (fast path: no analysis)')
    .description(
      'Rolls back to the previous known-good version as a new, audited deploy (no analysis). While a ' +
        'deploy of the environment runs, it is aborted instead (recorded with who and why) and its ' +
        'revert is the rollback: for blue-green within the scale-down delay, one nginx switch back.',
    )
    .requiredOption('--config <file>', 'deploy config (YAML)')
    .requiredOption('--env <name>', 'environment')
    .option(
      '--to <v>',
      'version to go back to (default: the newest known-good one before the current, skipping rollbacks and what they undid)',
    )
    .option('--reason <text>', 'why (recorded; required with --force)')
    .option('--force', 'start although the guard window is locked (needs --reason; recorded)')
    .option('--by <name>', 'who rolls back')
    .option('--state-db <path>', 'deploy records (default: stateDb of the config)')
    .option('--json', 'print only the final deploy record as JSON on stdout')
    .option('--observe', 'plan from what the drivers and nginx report now (automatic after a failed deploy)')
    .action(
      async (
        flags: SessionFlags & {
          to?: string;
          reason?: string;
          force?: boolean;
          json?: boolean;
          observe?: boolean;
        },
      ) => {
        const s = await openSession(flags);
        try {
          const say = (l: string) => void (flags.json || process.stderr.write(l));
          const why = flags.reason ?? `rollback${flags.to ? ` to ${flags.to}` : ''}`;
          const aborted = await abortActive(s, why, { say });
          const history = await s.store.list({ env: s.env.name, status: 'succeeded', limit: 1_000 });
          const target = rollbackTarget(history);
          const to = flags.to ?? aborted?.fromVersion ?? target.to ?? undefined;
          if (!to)
            throw new UsageError(
              `no earlier known-good version of ${s.env.name} than ${target.current ?? 'nothing'} (rollbacks and the deploys they undid are skipped): pass --to VERSION`,
            );
          const { fleet, observed } = await startingFleet(s, !!flags.observe);
          if (observed) say(`fleet observed from the ${s.env.driver.type} driver and nginx: ${observed}\n`);
          const plan = planning.rollback(s.env, fleet, to);
          if (plan.noop && aborted) {
            // The aborted deploy's revert already put the fleet back on `to`.
            if (flags.json) process.stdout.write(`${JSON.stringify(recordJson(aborted))}\n`);
            else say(`deploy ${aborted.id} ${aborted.status}: ${s.env.name} runs ${to}\n`);
            process.exitCode = aborted.status === 'aborted' ? 0 : 1;
            return;
          }
          const record = await createDeploy(
            {
              service: s.spec.service,
              plan,
              by: s.actor,
              reason: flags.reason ?? `rollback to ${to}`,
              force: flags.force,
              configPath: s.configPath,
              fleetBefore: fleet,
              ...(target.rollbackOf ? { rollbackOf: target.rollbackOf } : {}),
            },
            { store: s.store, guard: s.guard, now: Date.now, host: s.host },
          );
          process.exitCode = await driveDeploy(s, record, fleet, { json: !!flags.json });
        } finally {
          await s.store.close();
        }
      },
    );
}
