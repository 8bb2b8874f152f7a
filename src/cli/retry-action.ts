import { constants } from 'node:os';
import { retryCommand } from '../retry/command-retry.js';
import { formatAttempt, formatOutcome } from '../retry/format.js';
import type { RetryInvocation } from './retry.js';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** Runs the command to its end, forwarding signals to it; resolves to the exit code to use. */
export async function runRetry(inv: RetryInvocation): Promise<number> {
  const log = (line: string) => {
    if (!inv.quiet) process.stderr.write(`threader retry: ${line}\n`);
  };
  const execution = retryCommand(inv.spec, { ...inv.options, onAttempt: (r) => log(formatAttempt(r)) });
  let received: NodeJS.Signals | undefined;
  let reachedChild = false;
  const handlers = FORWARDED.map((sig) => {
    const h = () => {
      received = sig;
      reachedChild = execution.signal(sig) || reachedChild;
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    const outcome = await execution.outcome;
    // A signal that arrived between attempts ends us the way it would have ended a shell; one that
    // reached a running command leaves the exit to the command (it may trap it and exit its way).
    if (outcome.reason === 'aborted' && received && !reachedChild) {
      const code = 128 + (constants.signals[received] ?? 0);
      log(`received ${received} between attempts: exiting with ${code}`);
      return code;
    }
    if (outcome.reason !== 'success') log(formatOutcome(outcome));
    return outcome.exitCode;
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
