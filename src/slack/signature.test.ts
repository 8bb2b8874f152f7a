import { describe, expect, it } from 'vitest';
import { signSlackRequest, verifySlackSignature } from './signature.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW = 1_531_420_618_000;
const TS = '1531420618';
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

describe('Slack request signatures', () => {
  it("matches the worked example in Slack's documentation", () => {
    expect(signSlackRequest(SECRET, TS, BODY)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  const valid = {
    secret: SECRET,
    timestamp: TS,
    signature: signSlackRequest(SECRET, TS, BODY),
    rawBody: BODY,
  };
  const cases: Array<[string, Partial<typeof valid> & { now?: number }, string | null]> = [
    ['a correctly signed fresh request is accepted', {}, null],
    ['a request signed four minutes ago is still accepted', { now: NOW + 240_000 }, null],
    ['a request older than five minutes is refused as stale', { now: NOW + 301_000 }, 'stale_timestamp'],
    ['a timestamp far in the future is refused as stale', { now: NOW - 3_600_000 }, 'stale_timestamp'],
    ['a changed body no longer matches', { rawBody: `${BODY}&x=1` }, 'bad_signature'],
    ['another secret does not match', { secret: 'other' }, 'bad_signature'],
    ['a truncated signature does not match', { signature: valid.signature.slice(0, 20) }, 'bad_signature'],
    ['a missing signature header is refused', { signature: undefined }, 'missing_headers'],
    ['a missing timestamp header is refused', { timestamp: undefined }, 'missing_headers'],
    ['a timestamp that is not a number is refused', { timestamp: '12e5' }, 'bad_timestamp'],
  ];
  it.each(cases)('%s', (_name, over, reason) => {
    const res = verifySlackSignature({ ...valid, now: NOW, ...over });
    expect(res).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});
