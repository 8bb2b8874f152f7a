import { describe, expect, it } from 'vitest';
import { displayBy, parseSlackBy, slackBy } from './actor-by.js';

describe('slack actor as a deploy `by`', () => {
  it('a press is recorded with the verified user id and read back', () => {
    const by = slackBy({ id: 'U0ALICE', name: 'alice' });
    expect(by).toBe('slack:U0ALICE:alice');
    expect(parseSlackBy(by)).toEqual({ id: 'U0ALICE', name: 'alice' });
    expect(displayBy(by)).toBe('@alice (Slack)');
  });
  it.each([
    ['a CLI actor', 'bob'],
    ['a lowercase id', 'slack:u0alice:alice'],
    ['a channel id instead of a user', 'slack:C0ALERTS:alerts'],
  ])('%s is not a Slack user', (_name, by) => {
    expect(parseSlackBy(by)).toBeUndefined();
    expect(displayBy(by)).toBe(by);
  });
});
