import { execFileSync } from 'node:child_process';

/**
 * Integration suites start real tools from Debian packages. Without one on a laptop the suite is
 * skipped and its title says why; under CI (CI=true) .ci/run installs them on purpose, so a
 * missing tool there fails the run instead of passing it with nothing tested.
 */

export interface ToolProbe {
  /** The Debian package that provides the tool, named in the message. */
  install: string;
  /** Undefined when the binary the suite runs works, else what is wrong with it. */
  check: () => string | undefined;
}

const seen = new Map<string, string | undefined>();

/**
 * Why `name` cannot run here (for the describe title), or undefined when it can. Throws under
 * CI: "<name> is required under CI (install <package>)".
 */
export function requireTool(name: string, probe: ToolProbe): string | undefined {
  if (!seen.has(name)) seen.set(name, probe.check());
  const problem = seen.get(name);
  if (problem === undefined) return undefined;
  if (process.env.CI === 'true') {
    throw new Error(`${name} is required under CI (install ${probe.install}): ${problem}`);
  }
  return `${name} unavailable: ${problem} (install ${probe.install})`;
}

/** A check that passes when `file args…` exits 0: the binary exists, is executable and starts. */
export function runs(file: string, ...args: string[]): () => string | undefined {
  return () => {
    try {
      execFileSync(file, args, { stdio: 'ignore', timeout: 15_000 });
      return undefined;
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { status?: number | null };
      const how = e.code === 'ENOENT' ? 'not found' : e.status != null ? `exit ${e.status}` : e.message;
      return `\`${[file, ...args].join(' ')}\` ${how}`;
    }
  };
}

/** Every reason given, joined; undefined when there is none (each call already threw under CI). */
export function anyMissing(...reasons: Array<string | undefined>): string | undefined {
  const given = reasons.filter((r): r is string => r !== undefined);
  return given.length ? given.join('; ') : undefined;
}

/** A describe title that carries the skip reason, so the report says why nothing ran. */
export function suiteTitle(title: string, missing: string | undefined): string {
  return missing === undefined ? title : `${title} (skipped: ${missing})`;
}
