import { UsageError } from '../errors.js';

/**
 * The version of `threader plan|deploy`: positional, `--version V` or `--to V` (the CLI parses
 * options positionally, so a subcommand's --version is its own, not the program's). Giving two
 * different ones is a usage error rather than a guess.
 */
export function pickVersion(
  positional: string | undefined,
  flags: { version?: string; to?: string },
): string | undefined {
  const given = [positional, flags.version, flags.to].filter((v): v is string => v !== undefined);
  if (new Set(given).size > 1)
    throw new UsageError(`two different versions given (${given.join(', ')}): pass it once`);
  return given[0];
}
