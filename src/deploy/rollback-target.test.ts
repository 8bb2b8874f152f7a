import { describe, expect, it } from 'vitest';
import { rollbackTarget } from './rollback-target.js';
import type { DeployRecord } from './types.js';

/** A succeeded deploy finished at minute `at`: "id:from>to" or "id:from>to<undone" for a rollback. */
function history(...lines: string[]): DeployRecord[] {
  return lines.map((line, at) => {
    const [id, rest] = line.split(':') as [string, string];
    const [move, rollbackOf] = rest.split('<') as [string, string | undefined];
    const [from, to] = move.split('>') as [string, string];
    return {
      id,
      env: 'staging',
      service: 'svc',
      strategy: 'rolling',
      fromVersion: from || null,
      toVersion: to,
      by: 'ci',
      ...(rollbackOf ? { rollbackOf } : {}),
      status: 'succeeded',
      plan: {
        env: 'staging',
        strategy: 'rolling',
        fromVersion: null,
        toVersion: to,
        steps: [],
        mandatedWaitMs: 0,
        worstCaseMs: 0,
        noop: false,
      },
      stepIndex: 0,
      createdAt: at * 60_000,
      updatedAt: at * 60_000 + 1,
      finishedAt: at * 60_000 + 1,
    };
  });
}

describe('rollbackTarget', () => {
  it.each<[string, DeployRecord[], string | null, string | undefined]>([
    [
      'the first rollback goes to the version before the last deploy',
      history('d0:>v0', 'd1:v0>v1', 'd2:v1>v2'),
      'v1',
      'd2',
    ],
    [
      'a second rollback goes one further back, never forward onto the version the first one left',
      history('d0:>v0', 'd1:v0>v1', 'd2:v1>v2', 'r1:v2>v1<d2'),
      'v0',
      'd1',
    ],
    [
      'a second rollback with nothing older to go to has no target (refused: pass --to)',
      history('d1:>v1', 'd2:v1>v2', 'r1:v2>v1<d2'),
      null,
      'd1',
    ],
    [
      'a third rollback skips both versions already undone',
      history('d0:>v0', 'd1:v0>v1', 'd2:v1>v2', 'r1:v2>v1<d2', 'r2:v1>v0<d1'),
      null,
      'd0',
    ],
    [
      'a version deployed again after a rollback is undone back past the rolled-back one',
      history('d0:>v0', 'd1:v0>v1', 'd2:v1>v2', 'r1:v2>v1<d2', 'd3:v1>v3'),
      'v1',
      'd3',
    ],
    ['a redeploy of the running version is skipped', history('d0:>v0', 'd1:v0>v1', 'd1b:v1>v1'), 'v0', 'd1b'],
    ['no history, no target', [], null, undefined],
    [
      'after a rollback that aborted a live deploy (it undid that one), the next goes one further back',
      history('d0:>v0', 'd1:v0>v1', 'd2:v1>v2', 'r1:v2.6>v2<dx'),
      'v1',
      'd2',
    ],
    [
      'a record threader rollback made is never a target, even naming nothing it undid',
      [
        ...history('d0:>v0', 'd1:v0>v1', 'd2:v1>v2'),
        { ...history('r1:v2>v1')[0]!, rollback: true, finishedAt: 9e9 },
      ],
      'v0',
      'd1',
    ],
  ])('%s', (_name, records, to, rollbackOf) => {
    const t = rollbackTarget([...records].reverse());
    expect(t.to).toBe(to);
    expect(t.rollbackOf).toBe(rollbackOf);
  });
});
