import { ownerLiveness, pidAlive } from '../deploy/executor-start.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { DeployStoreWithControls } from '../store/deploy-types.js';
import type { SlackActor } from '../store/types.js';
import type { Logger } from '../telemetry/logger.js';
import { isDeployPress, type DeployPress } from './button-ids.js';
import type { DeployVerdict } from './deploy-answered.js';
import { approvalState, decideDeployPress, fallback, type DeployPressRefusal } from './deploy-decision.js';
import type { ActionRequest } from './payload.js';

export interface DeployPressDeps {
  /** The deploy records `threader deploy` writes (deploys.stateDb); unset, presses are refused. */
  deploys?: Pick<DeployStoreWithControls, 'get' | 'events' | 'requestControl'>;
  now(): number;
  /** This host, to tell whether a deploy's executor on it is alive (its pid). */
  host: string;
  pidAlive?: (pid: number) => boolean;
  logger?: Logger;
}

export type DeployPressCode = 'recorded' | DeployPressRefusal | 'deploys_not_configured' | 'store_error';

export interface DeployPressAnswer {
  code: DeployPressCode;
  /** What the presser is told (ephemeral). */
  text: string;
  /** Set when the press was recorded: what the approval request in the thread says from now on. */
  verdict?: DeployVerdict;
}

/**
 * Carries out one Approve / Reject press in the request itself: a read of the deploy record and
 * its event log, then at most one durable control request, which the deploy's executor takes
 * exactly once (DeployControlStore). Nothing here waits for Slack or the deploy, so the answer
 * fits Slack's 3 s. A press that is refused writes nothing.
 */
export async function answerDeployPress(
  press: DeployPress,
  actor: SlackActor,
  deps: DeployPressDeps,
): Promise<DeployPressAnswer> {
  const id = press.deployId;
  const action = press.kind === 'deploy-approve' ? 'approve' : 'abort';
  const log = { deployId: id, action: press.kind, user: actor.id };
  const { deploys } = deps;
  if (!deploys) {
    deps.logger?.warn({ ...log, outcome: 'deploys_not_configured' }, 'refused a deploy button press');
    return {
      code: 'deploys_not_configured',
      text: `This threader does not read the deploy records: set deploys.stateDb (env THREADER_DEPLOY_DB) to the database \`threader deploy\` writes. Meanwhile: ${fallback(id, action)}. Nothing was changed.`,
    };
  }
  try {
    const record = await deploys.get(id);
    const events = record ? (await deploys.events(id)).map((e) => e.event) : [];
    const now = deps.now();
    const decision = decideDeployPress({
      press,
      actor,
      record,
      ...approvalState(events),
      executor: record
        ? ownerLiveness(record.owner, now, { host: deps.host, pidAlive: deps.pidAlive ?? pidAlive })
        : { alive: false },
      now,
    });
    if (decision.kind === 'refuse') {
      deps.logger?.warn({ ...log, outcome: decision.code }, 'refused a deploy button press');
      return { code: decision.code, text: decision.text };
    }
    await deploys.requestControl(id, decision.control, now);
    deps.logger?.info(
      { ...log, outcome: 'recorded' },
      `deploy ${decision.control.action} requested from Slack`,
    );
    const verdict: DeployVerdict = {
      verdict: press.kind === 'deploy-approve' ? 'approved' : 'rejected',
      actor,
      live: decision.live,
    };
    return { code: 'recorded', text: decision.text, verdict };
  } catch (err) {
    // The deploy ended (or vanished) between the read and the write: the store refused the request.
    if (err instanceof ConflictError || err instanceof NotFoundError) {
      const code = err instanceof ConflictError ? 'deploy_finished' : 'deploy_unknown';
      deps.logger?.warn({ ...log, outcome: code }, 'refused a deploy button press');
      const text =
        code === 'deploy_finished'
          ? `Deploy ${id} has just finished. Nothing was changed.`
          : `Deploy ${id} is not in the deploy records this threader reads. Nothing was changed.`;
      return { code, text };
    }
    deps.logger?.error({ ...log, err: String(err) }, 'cannot record a deploy button press');
    return {
      code: 'store_error',
      text: `Could not record this in the deploy records (see the threader's log); nothing was changed. Try again, or run ${fallback(id, action)}.`,
    };
  }
}

/** Every deploy press of a request, one after another; undefined when the request has none. */
export async function answerDeployPresses(
  req: ActionRequest,
  deps: DeployPressDeps,
): Promise<DeployPressAnswer[] | undefined> {
  const presses = req.presses.filter(isDeployPress);
  if (presses.length === 0) return undefined;
  const answers: DeployPressAnswer[] = [];
  for (const press of presses) answers.push(await answerDeployPress(press, req.actor, deps));
  return answers;
}
