import { parseDeploySpec } from './spec.js';
import type { EnvironmentSpec, FleetState, Step } from './types.js';

/**
 * Builders for the planner tests: an environment parsed by the real schema (so defaults are the
 * shipped ones) and steps shortened to one line each, so a whole plan reads as a list.
 */
export function testEnv(over: Record<string, unknown> = {}, count = 4, name = 'staging'): EnvironmentSpec {
  const instances = Array.from({ length: count }, (_, n) => ({
    name: String.fromCharCode(97 + n),
    host: '127.0.0.1',
    port: 9101 + n,
    ...(n === 0 ? { tags: ['canary'] } : {}),
  }));
  const doc = {
    service: 'svc',
    environments: {
      [name]: {
        instances,
        driver: { type: 'process' },
        run: { command: ['node', 'svc.mjs'] },
        traffic: { configFile: 'up.conf', upstream: 'svc' },
        healthCheck: { successes: 3, interval: '1s', deadline: '30s' },
        ...over,
      },
    },
  };
  return parseDeploySpec(doc).environments[name]!;
}

export const colouredInstances = (perColour = 2) =>
  (['blue', 'green'] as const).flatMap((colour, c) =>
    Array.from({ length: perColour }, (_, n) => ({
      name: `${colour}${n + 1}`,
      host: '127.0.0.1',
      port: 9101 + c * 10 + n,
      colour,
    })),
  );

export function fleetOn(version: string, names: string[], extra: Partial<FleetState> = {}): FleetState {
  return {
    versions: Object.fromEntries(names.map((n) => [n, version])),
    weights: Object.fromEntries(names.map((n) => [n, 1])),
    ...extra,
  };
}

const ws = (w: Record<string, number>) =>
  Object.entries(w)
    .filter(([, v]) => v > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || '(empty)';

export function short(s: Step): string {
  const i = 'instances' in s ? s.instances.join(',') : '';
  switch (s.kind) {
    case 'start':
      return `start ${i}@${s.version}`;
    case 'health-gate':
      return `gate ${i}`;
    case 'drain':
      return `drain ${i}`;
    case 'stop':
      return `stop ${i}`;
    case 'set-weight':
      return `weights ${ws(s.weights)}${s.effectivePercent !== undefined ? ` (${s.effectivePercent}%)` : ''}`;
    case 'switch':
      return `switch ${s.to}: ${ws(s.weights)}`;
    case 'analyse':
      return `analyse ${s.label} ${s.count}x${s.interval / 1000}s`;
    case 'pause':
      return `pause ${s.duration === undefined ? 'until resumed' : `${s.duration / 1000}s`}`;
    case 'approve':
      return `approve`;
  }
}
