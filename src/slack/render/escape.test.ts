import { describe, expect, it } from 'vitest';
import { escapeText, isHttpUrl, link } from './escape.js';

describe('escapeText', () => {
  it.each([
    ['a channel-wide mention stays literal text', '<!channel>', '&lt;!channel&gt;'],
    ['a here mention stays literal text', 'ping <!here> now', 'ping &lt;!here&gt; now'],
    ['a user mention stays literal text', '<@U123>', '&lt;@U123&gt;'],
    ['a channel link stays literal text', '<#C1>', '&lt;#C1&gt;'],
    ['a disguised link stays literal text', '<http://evil|click>', '&lt;http://evil|click&gt;'],
    ['an ampersand is encoded first so entities survive literally', 'a &amp; b', 'a &amp;amp; b'],
    ['plain text is unchanged', 'latency > 2s', 'latency &gt; 2s'],
    ['text without control characters is untouched', 'CPU at 95% on web-1', 'CPU at 95% on web-1'],
  ])('%s', (_name, input, expected) => {
    expect(escapeText(input)).toBe(expected);
  });

  it('leaves no raw angle bracket, so no Slack control sequence can start', () => {
    const out = escapeText('<<!subteam^S1>> & <!date^1^{date}|x>');
    expect(out).not.toMatch(/[<>]/);
  });
});

describe('link', () => {
  it.each([
    [
      'an https URL becomes a link with an escaped label',
      'https://runbooks.example/db',
      'Runbook <b>',
      '<https://runbooks.example/db|Runbook &lt;b&gt;>',
    ],
    [
      'a pipe in the URL cannot split label from target',
      'https://x.example/a|b',
      'go',
      '<https://x.example/a%7Cb|go>',
    ],
    [
      'an ampersand in the query is entity-encoded',
      'http://x.example/q?a=1&b=2',
      'q',
      '<http://x.example/q?a=1&amp;b=2|q>',
    ],
    [
      'a javascript URL yields only the escaped label',
      'javascript:alert(1)',
      'click <me>',
      'click &lt;me&gt;',
    ],
    ['a relative URL yields only the label', '/graph?g0.expr=up', 'Source', 'Source'],
    [
      'a newline in the label is flattened',
      'https://x.example/',
      'two\nlines',
      '<https://x.example/|two lines>',
    ],
    [
      'an empty label falls back to the URL',
      'https://x.example/p',
      '',
      '<https://x.example/p|https://x.example/p>',
    ],
  ])('%s', (_name, url, label, expected) => {
    expect(link(url, label)).toBe(expected);
  });

  it('never lets a closing angle bracket in the URL end the link early', () => {
    const out = link('https://x.example/a>b<c', 'l');
    expect(out.slice(1, -1)).not.toMatch(/[<>]/);
  });

  it('accepts only http and https', () => {
    expect([
      isHttpUrl('https://a.b'),
      isHttpUrl('http://a.b'),
      isHttpUrl('slack://open'),
      isHttpUrl('nope'),
    ]).toEqual([true, true, false, false]);
  });
});
