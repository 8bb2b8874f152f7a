import type { Env } from '../config/load.js';
import type { DeployRecord, EnvironmentSpec } from '../deploy/types.js';
import { guardStatus, type GuardContext } from '../guard/guard.js';
import { parseThreadRef, type ThreadRef } from '../slack/thread-ref.js';
import type { DeployStore } from '../store/deploy-types.js';
import type { GuardLockView } from './deploy-reply.js';
import type { ThreadStore } from '../store/types.js';
import { DeployNarrator } from './narrator.js';
import { backfillThreadRefs } from './thread-backfill.js';
import { parseSlackThreadFlag, parseSlackWait } from './slack-flags.js';

/**
 * Where a deploy command narrates, and the Slack session that carries it (decision 2 of issue 6):
 * `--slack-thread REF` / $THREADER_SLACK_THREAD (the pipeline's thread, adopted), else the
 * environment's `slack.channel`, else SLACK_CHANNEL, else no narration (one line on stderr says
 * why). Slack never fails or delays the deploy: at the end the command waits at most
 * `--slack-wait` for the thread to catch up; what is left stays queued for `threader slack flush`.
 */

export interface NarrationFlags {
  slackThread?: string;
  slackWait?: string;
  /** commander's `--no-slack` sets it false. */
  slack?: boolean;
  /** --json: stderr stays empty when Slack is not set up at all. */
  json?: boolean;
}

export interface NarrationPlan {
  adopt?: ThreadRef;
  /**
   * The thread of the deploy a rollback undoes (no thread given): the rollback replies under it
   * and leaves that deploy's card as the parent, so the story stays in one thread.
   */
  follow?: ThreadRef;
  /** Said on stderr before the deploy starts (a $THREADER_SLACK_THREAD that is no reference). */
  warning?: string;
  waitMs: number;
  off: boolean;
  /** Say nothing when neither a token nor a channel is set (a deploy without Slack, by choice). */
  quiet?: boolean;
  /** `threader rollback` runs: the thread says it is a rollback, and how it ends. */
  rollback?: boolean;
  /**
   * The deploys a rollback may undo, in followUndone's order: one with no thread on its record may
   * still have one in the local thread store (Slack was down; `threader slack flush` posted it).
   */
  undoes?: UndoneRecord[];
}

export type UndoneRecord = { id?: string; threadRef?: string };

export const DEFAULT_SLACK_WAIT_MS = 30_000;

/**
 * Checks the Slack flags before anything starts. A bad `--slack-thread` is a usage error (exit 2):
 * the person typing it can fix it. A bad $THREADER_SLACK_THREAD comes from somewhere else (a CI
 * variable, an old shell): a deploy is no place to refuse over narration, so it is said on stderr
 * and the deploy narrates in a new thread of its channel.
 */
export function narrationPlan(flags: NarrationFlags, env: Env): NarrationPlan {
  const waitMs = flags.slackWait === undefined ? DEFAULT_SLACK_WAIT_MS : parseSlackWait(flags.slackWait);
  if (flags.slack === false) return { waitMs, off: true };
  const plan: NarrationPlan = { waitMs, off: false, ...(flags.json ? { quiet: true } : {}) };
  const adopt = flags.slackThread ? parseSlackThreadFlag(flags.slackThread) : undefined;
  if (adopt) return { ...plan, adopt };
  const fromEnv = env.THREADER_SLACK_THREAD?.trim();
  if (!fromEnv) return plan;
  try {
    return { ...plan, adopt: parseThreadRef(fromEnv, 'THREADER_SLACK_THREAD') };
  } catch (err) {
    return { ...plan, warning: `${(err as Error).message}; narrating in a new thread instead` };
  }
}

/**
 * A rollback with no thread given narrates under the thread of the deploy it undoes: the live
 * deploy it aborted, else the newest deploy of the environment (the failed one whose thread
 * printed the command, or the succeeded one it takes back), else the deploy `rollbackOf` names.
 * Pure; a thread given by flag or environment wins.
 */
export function followUndone(
  plan: NarrationPlan,
  undone: ReadonlyArray<UndoneRecord | null | undefined>,
  local: ReadonlyMap<string, ThreadRef> = new Map(),
): NarrationPlan {
  if (plan.off || plan.adopt) return plan;
  for (const record of undone) {
    if (!record) continue;
    const posted = record.id === undefined ? undefined : local.get(record.id);
    if (!record.threadRef) return posted ? { ...plan, follow: posted } : plan;
    try {
      return { ...plan, follow: parseThreadRef(record.threadRef) };
    } catch {
      return plan;
    }
  }
  return plan;
}

/**
 * The plan of `threader rollback`: it says it is a rollback, follows the thread of the deploy it
 * undoes when that deploy's record names one, and keeps the candidates so openNarration can look
 * for a thread the record lacks in the local thread store. Pure.
 */
export function rollbackPlan(
  plan: NarrationPlan,
  undone: ReadonlyArray<Pick<DeployRecord, 'id' | 'threadRef'> | null | undefined>,
): NarrationPlan {
  if (plan.off) return plan;
  const known = undone.flatMap((r) =>
    r ? [{ id: r.id, ...(r.threadRef ? { threadRef: r.threadRef } : {}) }] : [],
  );
  return { ...followUndone(plan, known), rollback: true, ...(known.length ? { undoes: known } : {}) };
}

export interface Narration {
  narrator: DeployNarrator;
  /** Waits (bounded) for the thread to catch up, then lets go of Slack and the thread store. */
  close(): Promise<void>;
}

export interface NarrationSetup {
  plan: NarrationPlan;
  env: EnvironmentSpec;
  deploys: Pick<DeployStore, 'get' | 'update' | 'list'>;
  guard: GuardContext;
  configPath: string;
  processEnv: Env;
  say: (line: string) => void;
}

function lockView(guard: GuardContext): () => Promise<GuardLockView | undefined> {
  return async () => {
    const lock = (await guardStatus(guard)).lock;
    if (!lock) return undefined;
    return {
      until: lock.until,
      mode: lock.release.mode,
      healthyEvaluations: lock.release.healthyEvaluations,
      reason: lock.reason,
      ...(lock.release.expiresAt ? { expiresAt: lock.release.expiresAt } : {}),
    };
  };
}

/**
 * Threads posted while no deploy command was there to record them (Slack was down; `threader slack
 * flush` posted them) go onto their records, and a rollback follows the one of the deploy it undoes.
 * A problem here is said and the narration goes on without it.
 */
async function findThreads(
  threads: Pick<ThreadStore, 'getThread'>,
  setup: NarrationSetup,
  plan: NarrationPlan,
  say: (line: string) => void,
): Promise<NarrationPlan> {
  try {
    const undoes = (plan.undoes ?? []).flatMap((r) =>
      r.id ? [{ id: r.id, ...(r.threadRef ? { threadRef: r.threadRef } : {}) }] : [],
    );
    const local = await backfillThreadRefs(threads, setup.deploys, setup.env.name, undoes);
    return plan.follow || !plan.undoes ? plan : followUndone(plan, plan.undoes, local);
  } catch (err) {
    say(`threader: Slack narration: could not look for earlier deploy threads: ${(err as Error).message}\n`);
    return plan;
  }
}

/**
 * Opens the Slack session and the narrator for `record`, or says on stderr why there is none and
 * returns undefined. Never throws: a deploy runs with or without its thread.
 */
export async function openNarration(
  setup: NarrationSetup,
  record: DeployRecord,
): Promise<Narration | undefined> {
  const { say } = setup;
  let plan = setup.plan;
  if (plan.off) return undefined;
  try {
    const { loadConfig } = await import('../config/load.js');
    const config = await loadConfig({
      configPath: setup.processEnv.THREADER_CONFIG || undefined,
      env: setup.processEnv,
    });
    const token = config.secrets.slackToken;
    const channel = setup.env.slack?.channel ?? (token ? config.slack.channel : undefined);
    const noChannel = `threader: no Slack thread for this deploy: no channel (set slack.channel of ${setup.env.name}, SLACK_CHANNEL or --slack-thread; --no-slack silences this)\n`;
    const nowhere = (p: NarrationPlan) => !p.adopt && !p.follow && !record.threadRef && !channel;
    // Slack not set up at all (no token, no channel, no thread): --json keeps stderr quiet, also
    // for a rollback, whose undone deploys are only worth a look in a thread store with a token.
    if (plan.quiet && !token && nowhere(plan)) return undefined;
    if (nowhere(plan) && !plan.undoes?.length) {
      if (plan.quiet && !token) return undefined;
      say(noChannel);
      return undefined;
    }
    if (!token) {
      say('threader: no Slack thread for this deploy: SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE is not set\n');
      return undefined;
    }
    const [{ SlackSession }, { deployRenderer }, { noteRenderer }, { createLogger }, { pino }] =
      await Promise.all([
        import('../slack/session.js'),
        import('./deploy-renderer.js'),
        import('../slack/note-renderer.js'),
        import('../telemetry/logger.js'),
        import('pino'),
      ]);
    // Slack's failures are logged on stderr: stdout may carry --json.
    const logger = createLogger({
      level: setup.processEnv.LOG_LEVEL || 'warn',
      destination: pino.destination({ dest: 2, sync: true }),
    });
    const session = await SlackSession.open(config, {
      logger,
      renderers: (store) => ({ deploy: deployRenderer(store), note: noteRenderer }),
    });
    plan = await findThreads(session.store, setup, plan, say);
    if (nowhere(plan)) {
      say(noChannel);
      await session.close().catch(() => undefined);
      return undefined;
    }
    const narrator = new DeployNarrator({
      slack: {
        store: session.store,
        kick: () => session.engine.kick(),
        onParentPosted: (listener) => session.onParentPosted(listener),
      },
      deploys: setup.deploys,
      ...(channel ? { channel } : {}),
      ...(plan.adopt ? { adopt: plan.adopt } : {}),
      ...(plan.follow ? { follow: plan.follow } : {}),
      config: setup.configPath,
      ...(plan.rollback ? { rollback: true } : {}),
      guardLock: lockView(setup.guard),
      warn: (m) => say(`threader: ${m}\n`),
    });
    await narrator.begin(record);
    return {
      narrator,
      close: async () => {
        await narrator.settled();
        const deadline = Date.now() + plan.waitMs;
        while (!(await narrator.caughtUp().catch(() => true)) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 100));
        await narrator.saveRef();
        narrator.stopPolling();
        const left = await narrator.pending().catch(() => 0);
        if (left > 0)
          say(
            `threader: ${left} Slack message${left === 1 ? '' : 's'} of this deploy not delivered within --slack-wait ${plan.waitMs / 1000}s: still queued in THREADER_DB; \`threader slack flush\` delivers them\n`,
          );
        if (narrator.failures > 0)
          say(`threader: the Slack narration met ${narrator.failures} problem(s) (see above)\n`);
        await session.close().catch(() => undefined);
      },
    };
  } catch (err) {
    say(`threader: no Slack thread for this deploy: ${(err as Error).message}\n`);
    return undefined;
  }
}
