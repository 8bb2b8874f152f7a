import { ValidationError } from '../../errors.js';

/**
 * Instance names and versions become file names (NAME.pid, /etc/alert-threader/NAME.env), unit
 * instance strings and JSON written by a shell script, so they are held to a plain alphabet.
 */
const INSTANCE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9_.+~-]{0,127}$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkInstanceName(name: string): void {
  if (!INSTANCE.test(name) || name.includes('..')) {
    throw new ValidationError(
      [
        {
          field: 'instance',
          problem: `"${name}" must be 1-64 of A-Z a-z 0-9 _ . - (starting with a letter or digit)`,
        },
      ],
      'instance name',
    );
  }
}

export function checkVersion(version: string): void {
  if (!VERSION.test(version)) {
    throw new ValidationError(
      [
        {
          field: 'version',
          problem: `"${version}" must be 1-128 of A-Z a-z 0-9 _ . + ~ - (starting with a letter or digit)`,
        },
      ],
      'version',
    );
  }
}

export function checkEnvKeys(env: Record<string, string>): void {
  const bad = Object.keys(env).filter((k) => !ENV_KEY.test(k));
  if (bad.length > 0) {
    throw new ValidationError(
      bad.map((k) => ({ field: `run.env.${k}`, problem: 'not a valid environment variable name' })),
      'run env',
    );
  }
}
