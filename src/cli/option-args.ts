import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';

/**
 * Commander value parsers made from the pure parsers the actions use, so a bad value is refused
 * while the command line is parsed — by `threader` itself and by `parseOnly`, which the pipeline
 * tests run over every `threader …` line of the CI files and which never reaches an action. The
 * value is handed on as written: the action parses it again with the same function and also
 * checks what came from the environment instead (no flag, nothing checked here).
 */

type Check = (text: string) => unknown;

function refuse(err: unknown): never {
  // Commander turns an InvalidArgumentError into "option '--x <v>' argument 'y' is invalid. …",
  // exit 2 through main(); anything else is a bug and propagates as is.
  if (err instanceof UsageError) throw new InvalidArgumentError(err.message);
  throw err;
}

export function checked(check: Check): (text: string) => string {
  return (text) => {
    try {
      check(text);
    } catch (err) {
      refuse(err);
    }
    return text;
  };
}

/** A repeatable option (`--link A=… --link B=…`): every value checked, all kept in order. */
export function collectChecked(check: Check): (text: string, previous?: string[]) => string[] {
  const one = checked(check);
  return (text, previous = []) => [...previous, one(text)];
}
