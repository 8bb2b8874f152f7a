import { execFile } from 'node:child_process';

/** Outcome of one argv command run to completion, with its output captured (nginx explains itself on stderr). */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the command could not be started (ENOENT, EACCES…). */
  spawnError?: string;
}

export type CommandRunner = (argv: string[], opts: { timeoutMs: number }) => Promise<CommandResult>;

/**
 * Runs argv without a shell, so a path with spaces or `;` in a deploy config cannot turn into a
 * second command. Never rejects: the caller decides what a failure means.
 */
export const runCommand: CommandRunner = (argv, { timeoutMs }) =>
  new Promise((resolve) => {
    const [file, ...args] = argv;
    if (!file) {
      resolve({ exitCode: 127, stdout: '', stderr: '', timedOut: false, spawnError: 'empty command' });
      return;
    }
    execFile(
      file,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ exitCode: 0, stdout, stderr, timedOut: false });
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        if (typeof e.code === 'string') {
          return resolve({
            exitCode: 127,
            stdout,
            stderr,
            timedOut: false,
            spawnError: `${e.code}: ${e.message}`,
          });
        }
        const timedOut = e.killed === true;
        resolve({ exitCode: timedOut ? 124 : (e.code ?? 1), stdout, stderr, timedOut });
      },
    );
  });

/** Replaces {name} placeholders in each argument; unknown placeholders stay as written. */
export function expandArgv(argv: string[], vars: Record<string, string>): string[] {
  return argv.map((a) => a.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m));
}
