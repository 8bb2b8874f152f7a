import { AppError } from '../errors.js';
import type { Outcome } from '../metrics/types.js';
import type { Judgement } from '../metrics/evaluate.js';

/**
 * A step that did not succeed: a health gate not passed in time, an analysis Failed/Error, a
 * driver or nginx command that kept failing. The executor turns it into DeployFailure.
 */
export class StepFailedError extends AppError {
  readonly code = 'deploy_step_failed';
  constructor(
    message: string,
    readonly gate: boolean,
    readonly judgements?: Judgement[],
    readonly outcome?: Outcome,
  ) {
    super(message);
  }
}

/** A deploy that may not start: another deploy holds the environment, or the guard is locked. Exit 3. */
export class DeployRefusedError extends AppError {
  readonly code = 'deploy_refused';
  override readonly exitCode = 3;
  override readonly httpStatus = 409;
}

/** Someone asked the deploy to stop (`threader abort ID`, or an approval timeout set to abort). */
export class DeployAbortedError extends Error {
  constructor(
    readonly by: string,
    readonly reason?: string,
  ) {
    super(`aborted by ${by}${reason ? `: ${reason}` : ''}`);
  }
}
