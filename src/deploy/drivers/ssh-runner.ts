import { localRunner, type CommandResult, type CommandRunner } from './command-runner.js';
import { quoteCommand } from './shell-quote.js';

export interface SshOptions {
  user?: string;
  port?: number;
  identityFile?: string;
  /** Only the hosts in this file are trusted (the system-wide file is ignored) when set. */
  knownHostsFile?: string;
  /** ms; ssh takes whole seconds. */
  connectTimeout: number;
}

/**
 * Pure: the ssh argv for one remote command. Host-key checking is strict and never prompts
 * (BatchMode), so an unknown or changed host key fails instead of being trusted on first use. The
 * host comes after `--` and the user through -l, so neither can be read as an option.
 */
export function sshArgv(host: string, opts: SshOptions, remoteCommand: string): string[] {
  const argv = [
    'ssh',
    '-T',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `ConnectTimeout=${Math.max(1, Math.ceil(opts.connectTimeout / 1000))}`,
    '-o',
    'ServerAliveInterval=10',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    'LogLevel=ERROR',
  ];
  if (opts.knownHostsFile) {
    argv.push('-o', `UserKnownHostsFile=${opts.knownHostsFile}`, '-o', 'GlobalKnownHostsFile=/dev/null');
  }
  if (opts.identityFile) argv.push('-i', opts.identityFile, '-o', 'IdentitiesOnly=yes');
  if (opts.port !== undefined) argv.push('-p', String(opts.port));
  if (opts.user) argv.push('-l', opts.user);
  argv.push('--', host, remoteCommand);
  return argv;
}

/** ssh's own failures exit 255 (the remote command's exit code passes through otherwise). */
export const SSH_FAILED = 255;

/**
 * Pure: why ssh failed, if it did. A key problem is a refusal (retrying cannot fix it, and a changed
 * host key must stop the deploy); anything else at exit 255 means the host was not reached.
 */
export function classifySshFailure(result: CommandResult): CommandResult['transport'] {
  if (result.exitCode !== SSH_FAILED || result.timedOut) return undefined;
  const stderr = result.stderr.trim();
  const message = stderr.split('\n').slice(-3).join(' ').trim() || 'ssh failed without a message';
  if (
    /host key verification failed|remote host identification has changed|host key is known|permission denied|too many authentication failures/i.test(
      stderr,
    )
  ) {
    return { kind: 'auth', message };
  }
  return { kind: 'unreachable', message };
}

export interface SshRunnerDeps {
  local?: CommandRunner;
}

/**
 * Runs each argv on `host` through the OpenSSH client: the argv is quoted into one command line
 * for the remote login shell, stdin passes through. ssh's own failures come back classified in
 * `transport` (unreachable / auth) and are not retried here: the executor retries driver commands,
 * and one level of retries keeps the number of attempts the policy's (isRetryableDriverError
 * says which). Retrying after a connection that broke mid-command is safe because every driver
 * operation is idempotent (start stops first).
 */
export function sshRunner(host: string, opts: SshOptions, deps: SshRunnerDeps = {}): CommandRunner {
  const local = deps.local ?? localRunner();
  const where = `${opts.user ? `${opts.user}@` : ''}${host}${opts.port !== undefined ? `:${opts.port}` : ''}`;
  return {
    where,
    run: async (argv, runOpts) => {
      const command = sshArgv(host, opts, quoteCommand(argv));
      const result = await local.run(command, {
        ...runOpts,
        timeoutMs: runOpts.timeoutMs + opts.connectTimeout,
      });
      const transport = classifySshFailure(result);
      return transport ? { ...result, transport } : result;
    },
  };
}
