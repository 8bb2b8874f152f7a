/**
 * One word of a POSIX shell command line, for the commands we print to be copied and run as
 * printed (the rollback command of a failed deploy, the thread's `threader approve …`): a word of
 * safe characters stays as it is; anything else is single-quoted, a `'` inside closed, escaped
 * and reopened, so no value (a config path with spaces, a version with `$(…)`) becomes shell code.
 */
export function shellQuote(word: string): string {
  return /^[\w./@:=+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Words joined into one command line, each quoted when it needs it. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
