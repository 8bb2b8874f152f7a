import { describe, expect, it } from 'vitest';
import { parseApiRequest } from './body.js';

const base = { httpMethod: 'POST', query: new URLSearchParams(), rawBody: '' };

describe('parseApiRequest', () => {
  it.each([
    [
      'reads the token from the Authorization header',
      {
        ...base,
        authorization: 'Bearer xoxb-1',
        contentType: 'application/x-www-form-urlencoded',
        rawBody: 'channel=C1',
      },
      { args: { channel: 'C1' }, token: 'xoxb-1', warnings: [] },
    ],
    [
      'reads the token from a form body, as Slack allows',
      { ...base, contentType: 'application/x-www-form-urlencoded', rawBody: 'token=xoxb-2&text=hi' },
      { args: { token: 'xoxb-2', text: 'hi' }, token: 'xoxb-2', warnings: [] },
    ],
    [
      'ignores a token inside a JSON body, as Slack does',
      { ...base, contentType: 'application/json; charset=utf-8', rawBody: '{"token":"xoxb-3","text":"hi"}' },
      { args: { token: 'xoxb-3', text: 'hi' }, warnings: [] },
    ],
    [
      'warns missing_charset for JSON without a charset',
      { ...base, authorization: 'Bearer xoxb-1', contentType: 'application/json', rawBody: '{"text":"hi"}' },
      { args: { text: 'hi' }, token: 'xoxb-1', warnings: ['missing_charset'] },
    ],
    [
      'answers invalid_json for a broken JSON body',
      {
        ...base,
        authorization: 'Bearer xoxb-1',
        contentType: 'application/json; charset=utf-8',
        rawBody: '{"text":',
      },
      { args: {}, token: 'xoxb-1', bodyError: 'invalid_json', warnings: [] },
    ],
    [
      'answers json_not_object for a JSON array',
      {
        ...base,
        authorization: 'Bearer xoxb-1',
        contentType: 'application/json; charset=utf-8',
        rawBody: '[1]',
      },
      { args: {}, token: 'xoxb-1', bodyError: 'json_not_object', warnings: [] },
    ],
    [
      'answers invalid_post_type for an unsupported content type',
      { ...base, contentType: 'text/csv', rawBody: 'a,b' },
      { args: {}, bodyError: 'invalid_post_type', warnings: [] },
    ],
    [
      'reads GET query parameters',
      { ...base, httpMethod: 'GET', query: new URLSearchParams('token=xoxb-4&channel=C9') },
      { args: { token: 'xoxb-4', channel: 'C9' }, token: 'xoxb-4', warnings: [] },
    ],
  ])('%s', (_name, input, expected) => {
    expect(parseApiRequest(input)).toEqual(expected);
  });
});
