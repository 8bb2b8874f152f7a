import type { UpstreamServer } from '../traffic/types.js';
import { quoteArg as q } from './drivers/shell-quote.js';
import type { EnvironmentSpec, Step } from './types.js';

/**
 * Which version each instance runs after `steps` ran on top of `before` (pure). The executor
 * rebuilds it this way when it resumes a deploy, so weights-set events can say what serves traffic.
 */
export function versionsAfter(
  before: Record<string, string>,
  steps: readonly Step[],
): Record<string, string> {
  const versions = { ...before };
  for (const s of steps) {
    if (s.kind === 'start') s.instances.forEach((i) => (versions[i] = s.version));
    if (s.kind === 'stop') s.instances.forEach((i) => delete versions[i]);
  }
  return versions;
}

/** The weights of the last set-weight/switch step among `steps`, or `before` when there is none. */
export function weightsAfter(before: Record<string, number>, steps: readonly Step[]): Record<string, number> {
  let weights = before;
  for (const s of steps) if (s.kind === 'set-weight' || s.kind === 'switch') weights = s.weights;
  return { ...weights };
}

/** The upstream servers for desired weights; instances absent from the map are out of nginx. */
export function upstreamFor(env: EnvironmentSpec, weights: Record<string, number>): UpstreamServer[] {
  return env.instances
    .filter((i) => (weights[i.name] ?? 0) > 0)
    .map((i) => ({ name: i.name, host: i.host, port: i.port, weight: weights[i.name] as number }));
}

/** `threader rollback …` as a user would type it after a failed deploy. */
export function rollbackCommand(configPath: string, env: string, to: string | null): string {
  const target = to === null ? '' : ` --to ${q(to)}`;
  return `threader rollback --config ${q(configPath)} --env ${q(env)}${target}`;
}
