import type { CommandResult, CommandRunner, RunOptions } from './command-runner.js';
import {
  DriverAuthError,
  DriverError,
  DriverUnreachableError,
  stderrTail,
  type DriverOperation,
} from './errors.js';

export interface Target {
  instance: string;
  host: string;
  operation: DriverOperation;
}

/**
 * Runs one driver command and turns every way it can fail into a DriverError naming the instance,
 * host and operation, with the command's stderr (its stdin — env values — is never quoted back).
 */
export async function runChecked(
  runner: CommandRunner,
  argv: readonly string[],
  opts: RunOptions,
  target: Target,
  what: string,
  /** Exit codes that are answers, not failures (`systemctl is-active` exits 3 for "inactive"). */
  okExitCodes: readonly number[] = [0],
): Promise<CommandResult> {
  const result = await runner.run(argv, opts);
  const details = { ...target, exitCode: result.exitCode };
  const where = `${target.operation} of ${target.instance} on ${runner.where}`;
  if (result.transport?.kind === 'auth') {
    throw new DriverAuthError(`${where}: ${result.transport.message}`, details);
  }
  if (result.transport?.kind === 'unreachable') {
    throw new DriverUnreachableError(`${where}: ${result.transport.message}`, details);
  }
  if (result.timedOut) {
    const why = opts.signal?.aborted ? 'aborted' : `timed out after ${Math.round(opts.timeoutMs / 1000)}s`;
    throw new DriverError(`${where}: ${what} ${why}`, details);
  }
  if (!okExitCodes.includes(result.exitCode)) {
    throw new DriverError(
      `${where}: ${what} failed (exit ${result.exitCode}): ${stderrTail(result.stderr)}`,
      details,
    );
  }
  return result;
}
