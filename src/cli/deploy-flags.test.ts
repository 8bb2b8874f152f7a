import { describe, expect, it } from 'vitest';
import { narrationPlan } from '../notify/deploy-slack.js';
import { parseSlackThreadFlag, parseSlackWait } from '../notify/slack-flags.js';
import { parseStrategy } from './plan.js';

/** The parse-time checks must refuse exactly what the deploy action refuses (no drift). */
const refuses = (f: () => unknown): boolean => {
  try {
    f();
    return false;
  } catch {
    return true;
  }
};

describe('deploy flag values checked while parsing agree with the action', () => {
  it.each(['30s', '0', '2m', '1.5', 'forever', '-1s', '', ' ', '10x'])(
    '--slack-wait "%s" is refused by both or by neither',
    (text) => {
      expect(refuses(() => parseSlackWait(text))).toBe(
        refuses(() => narrationPlan({ slackWait: text, slack: false }, {})),
      );
    },
  );

  it.each(['C0123ABCDEF:1700000000.000100', '', 'not-a-ref', 'C1:17', '#deploys:1700000000.000100'])(
    '--slack-thread "%s" is refused by both or by neither',
    (text) => {
      expect(refuses(() => parseSlackThreadFlag(text))).toBe(
        refuses(() => narrationPlan({ slackThread: text }, {})),
      );
    },
  );

  it.each([
    ['canary', 'canary'],
    ['blue-green', 'blue-green'],
    ['', undefined],
  ])('--strategy "%s" is taken', (text, strategy) => {
    expect(parseStrategy(text)).toBe(strategy);
  });

  it('--strategy big-bang is refused, naming the strategies there are', () => {
    expect(() => parseStrategy('big-bang')).toThrow(
      /--strategy: "big-bang" must be one of rolling, canary, blue-green/,
    );
  });
});

describe('guard watch --slack-thread agrees with its action', () => {
  it.each([
    ['', false],
    ['C0123ABCDEF:1700000000.000100', false],
    ['not-a-ref', true],
  ])('"%s" refused: %s', async (text, refused) => {
    const { parseOnly } = await import('./main.js');
    const res = await parseOnly(['guard', 'watch', '--slack-thread', text]);
    expect(res.ok).toBe(!refused);
  });
});
