import { describe, expect, it } from 'vitest';
import { escapeHtml, markup, safeHref, trusted } from './markup.js';

describe('markup', () => {
  const cases: Array<[string, () => string, string]> = [
    [
      'escapes markup in an interpolated string',
      () => markup`<p>${'<b>x</b>'}</p>`.value,
      '<p>&lt;b&gt;x&lt;/b&gt;</p>',
    ],
    [
      'escapes quotes so a value cannot leave an attribute',
      () => markup`<a title="${'" onclick="x'}"></a>`.value,
      '<a title="&quot; onclick=&quot;x"></a>',
    ],
    [
      'keeps nested html as markup',
      () => markup`<ul>${[markup`<li>${'a&b'}</li>`, markup`<li>c</li>`]}</ul>`.value,
      '<ul><li>a&amp;b</li><li>c</li></ul>',
    ],
    ['leaves out null, undefined and false', () => markup`${null}${undefined}${false}x`.value, 'x'],
    ['prints numbers and true as text', () => markup`${3} ${true}`.value, '3 true'],
    ['passes trusted markup through unchanged', () => markup`${trusted('<br>')}`.value, '<br>'],
  ];
  it.each(cases)('%s', (_name, run, expected) => {
    expect(run()).toBe(expected);
  });

  it('escapes the five HTML special characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('safeHref', () => {
  const cases: Array<[string, string | undefined, string | undefined]> = [
    [
      'an https URL is kept',
      'https://acme.slack.com/archives/C1/p1',
      'https://acme.slack.com/archives/C1/p1',
    ],
    ['a same-site path is kept', '/threads/abc?x=1', '/threads/abc?x=1'],
    ['a javascript: URL is refused', 'javascript:alert(1)', undefined],
    ['a protocol-relative URL is refused', '//evil.example/x', undefined],
    ['text that is no URL is refused', 'not a url', undefined],
    ['nothing stays nothing', undefined, undefined],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(safeHref(input)).toBe(expected);
  });
});
