import { answeredRequest } from './deploy-answered.js';
import type { DeployPressAnswer } from './deploy-press.js';
import type { ActionRequest } from './payload.js';
import { respondEphemeral, respondReplacing } from './respond.js';

export interface TellDeps {
  ephemeral?: typeof respondEphemeral;
  replace?: typeof respondReplacing;
}

/**
 * Tells through response_url what the deploy presses of one request did. A recorded answer
 * replaces the approval request for everyone (`replace_original: true`): its buttons give way to
 * who answered, so nobody presses an answered gate again. A refusal is told to the presser alone
 * (`replace_original: false`) and leaves the buttons for someone who may answer. When the request
 * cannot be replaced (Slack sent no message, or refused the edit) the presser is told instead.
 */
export async function tellDeployPressers(
  req: ActionRequest,
  answers: readonly DeployPressAnswer[],
  deps: TellDeps = {},
): Promise<void> {
  const ephemeral = deps.ephemeral ?? respondEphemeral;
  const replace = deps.replace ?? respondReplacing;
  const recorded = answers.find((a) => a.verdict);
  const replacement =
    recorded?.verdict && req.message ? answeredRequest(req.message, recorded.verdict) : undefined;
  const replaced = replacement ? await replace(req.responseUrl, replacement) : false;
  const rest = answers.filter((a) => !(replaced && a === recorded));
  if (rest.length > 0) await ephemeral(req.responseUrl, rest.map((a) => a.text).join('\n'));
}
