import { describe, expect, it } from 'vitest';
import { controlRefusal } from './deploy-control-action.js';

describe('which control requests a deploy takes', () => {
  it.each([
    ['approve', 'waiting-approval', undefined],
    ['approve', 'running', /is running, not waiting for an approval/],
    ['approve', 'paused', /is paused, not waiting for an approval/],
    ['approve', 'rolling-back', /not waiting for an approval/],
    ['abort', 'running', undefined],
    ['pause', 'running', undefined],
    ['resume', 'paused', undefined],
    ['abort', 'succeeded', /already ended \(succeeded\); nothing to abort/],
    ['approve', 'rolled-back', /already ended/],
  ] as const)('%s on a deploy that is %s: %s', (action, status, refused) => {
    const why = controlRefusal(action, status);
    if (refused === undefined) expect(why).toBeUndefined();
    else expect(why).toMatch(refused);
  });
});
