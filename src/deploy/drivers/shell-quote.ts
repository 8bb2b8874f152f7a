/**
 * POSIX shell quoting for everything the drivers hand to a shell (a remote login shell through
 * ssh, or `sh -s` locally) and for the commands we print to be copied and run as printed (a failed
 * deploy's rollback command, `threader approve …`). Single quotes make every byte literal except
 * the single quote itself, which is closed, escaped and reopened: `it's` → `'it'\''s'`. Remote
 * commands are only ever built from these quoted words, never by pasting raw strings together.
 */
export function quoteArg(value: string): string {
  if (value.includes('\0')) throw new Error('a shell word cannot contain a NUL byte');
  // Words made only of these characters mean the same to every POSIX shell unquoted ('=' is not
  // among them: `A=b cmd` would be an assignment).
  if (/^[A-Za-z0-9_@%+:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one shell command line whose words the shell splits back into exactly `argv`. */
export function quoteCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('an empty command cannot be quoted');
  return argv.map(quoteArg).join(' ');
}
